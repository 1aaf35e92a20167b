package dev.easel.engine.io;

import java.nio.file.Path;

/**
 * A path as a user typed it where no shell expands {@code ~} for them: in a magic's arguments, a notebook call, a YAML
 * sweep.
 */
public final class UserPath {

    private UserPath() {}

    /** {@code ~} and {@code ~/…} in the user's home folder; anything else against {@code base} (an absolute path as is). */
    public static Path resolve(Path base, String typed) {
        if (typed.equals("~") || typed.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + typed.substring(1)).normalize();
        }
        return base.resolve(typed).normalize();
    }
}
