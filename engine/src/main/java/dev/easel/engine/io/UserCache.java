package dev.easel.engine.io;

import java.nio.file.Path;

/**
 * Easel's folder in the user's cache: the system property {@code easel.cache}, else {@code $XDG_CACHE_HOME/easel},
 * else {@code ~/.cache/easel}. What lives there can always be made again (the default model copied out of the jar,
 * file hashes); nothing there is created until it is written.
 */
public final class UserCache {

    private UserCache() {}

    /** The folder, read from the property and environment on each call (tests point it elsewhere). */
    public static Path folder() {
        String configured = System.getProperty("easel.cache");
        if (configured != null) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("easel");
    }
}
