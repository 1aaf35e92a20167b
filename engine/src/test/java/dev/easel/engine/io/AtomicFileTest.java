package dev.easel.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void aWrittenFileGetsTheSamePermissionsAsAnyOtherNewFile() throws IOException {
        Path plain = Files.write(dir.resolve("plain.bin"), new byte[] {1});
        Path atomic = dir.resolve("sub/atomic.png");
        AtomicFile.write(atomic, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(atomic));
        // the user's umask, not createTempFile's owner-only rw-------
        assertEquals(
                PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(atomic)));
        assertEquals(List.of("atomic.png"), names(atomic.getParent()));
    }

    @Test
    void aWriteThatFailsLeavesThePreviousFileAndNoTemporaryOne() throws IOException {
        Path file = dir.resolve("model.safetensors");
        AtomicFile.write(file, new byte[] {7, 7});
        IOException failure = assertThrows(
                IOException.class,
                () -> AtomicFile.write(file, out -> {
                    out.write(new byte[4096]);
                    throw new IOException("No space left on device");
                }));
        assertEquals("No space left on device", failure.getMessage());
        assertArrayEquals(new byte[] {7, 7}, Files.readAllBytes(file));
        assertEquals(List.of("model.safetensors"), names(dir));
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
