package dev.easel.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class UserPathTest {

    private final Path home = Path.of(System.getProperty("user.home"));
    private final Path notebook = Path.of("/work/notebooks");

    @Test
    void aTildeIsTheHomeFolder() {
        assertEquals(home.resolve("models/sd15"), UserPath.resolve(notebook, "~/models/sd15"));
        assertEquals(home, UserPath.resolve(notebook, "~"));
    }

    @Test
    void otherPathsAreRelativeToTheBaseUnlessAbsolute() {
        assertEquals(Path.of("/work/notebooks/outputs"), UserPath.resolve(notebook, "outputs"));
        assertEquals(Path.of("/work/data"), UserPath.resolve(notebook, "../data"));
        assertEquals(Path.of("/tmp/x"), UserPath.resolve(notebook, "/tmp/x"));
        assertEquals(Path.of("/work/notebooks/~user"), UserPath.resolve(notebook, "~user"), "only ~ and ~/ expand");
    }
}
