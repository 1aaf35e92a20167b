package dev.easel.engine.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Folder helpers: deleting a tree, replacing a folder by renames (the atomic writers), and where community files
 * (LoRAs, embeddings) live.
 */
public final class Folders {

    private Folders() {}

    /** Deletes a file or a folder with everything in it; nothing happens if it doesn't exist. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * A folder of community files: {@code explicit} if given, else the environment variable {@code env}, else the
     * first of {@code names} that exists beside the model (the first name when none does).
     */
    public static Path beside(Path explicit, String env, Path model, String... names) {
        if (explicit != null) {
            return explicit;
        }
        String fromEnv = System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path parent = model == null
                ? Path.of("").toAbsolutePath()
                : model.toAbsolutePath().getParent();
        for (String name : names) {
            if (Files.isDirectory(parent.resolve(name))) {
                return parent.resolve(name);
            }
        }
        return parent.resolve(names[0]);
    }

    /** Fills a staging folder that then replaces the target. */
    @FunctionalInterface
    public interface FolderWriter {
        void write(Path staging) throws IOException;
    }

    /**
     * Replaces the folder {@code target} with what {@code writer} puts into a fresh staging folder beside it
     * ({@code .NAME.writing}), swapped in by renames: a failure or a kill mid-way leaves the old folder (or none),
     * never a half-written one under the target's name.
     */
    public static void replace(Path target, FolderWriter writer) throws IOException {
        Path staging = target.resolveSibling("." + target.getFileName() + ".writing");
        deleteTree(staging);
        Files.createDirectories(staging);
        try {
            writer.write(staging);
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        Path old = target.resolveSibling("." + target.getFileName() + ".old");
        deleteTree(old);
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }
}
