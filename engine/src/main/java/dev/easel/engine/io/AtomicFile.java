package dev.easel.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file all at once or not at all: into a hidden temporary file beside it, then renamed over it, so a kill
 * or a full disk mid-write leaves the previous file (or none) and never a torn one.
 *
 * <p>The temporary file is created like any other file, with the user's umask: {@code Files.createTempFile} would make
 * it owner-only ({@code 0600}), and the rename would hand that to every image and model Easel writes.
 */
public final class AtomicFile {

    /** What goes into the file. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /** Replaces {@code file} with what {@code body} writes, creating its folder if needed. */
    public static void write(Path file, Body body) throws IOException {
        replace(file, temporary -> {
            try (OutputStream out = new BufferedOutputStream(
                    Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    1 << 20)) {
                body.writeTo(out);
            }
        });
    }

    /** Replaces {@code file} with {@code bytes} (one write, no stream buffer). */
    public static void write(Path file, byte[] bytes) throws IOException {
        replace(
                file,
                temporary -> Files.write(temporary, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    /** Writes the file's new content at the temporary path it is given (which does not exist yet). */
    @FunctionalInterface
    public interface TemporaryWriter {
        void write(Path temporary) throws IOException;
    }

    /**
     * Replaces {@code file} with what {@code writer} puts at a temporary path beside it — for content another
     * process writes to a path it is told. Nothing is replaced when the writer throws or leaves no file there.
     */
    public static void replace(Path file, TemporaryWriter writer) throws IOException {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        Files.createDirectories(folder);
        Path temporary = folder.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".part");
        try {
            writer.write(temporary);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary); // after a failure; gone already after the rename
        }
    }
}
