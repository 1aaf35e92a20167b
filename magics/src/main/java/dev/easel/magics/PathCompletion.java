package dev.easel.magics;

import dev.easel.engine.io.UserPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tab completion of a file or folder argument, as a shell does it: the entries of the folder typed so far whose names
 * start with the rest, folders with a trailing slash; hidden entries only when the name typed starts with a dot.
 */
public final class PathCompletion {

    /** Entries offered at most; a folder of thousands of images helps nobody in a completion list. */
    static final int LIMIT = 200;

    private PathCompletion() {}

    /** Completions of {@code typed}, relative to {@code base} unless absolute; folders only if {@code foldersOnly}. */
    public static List<String> complete(String typed, Path base, boolean foldersOnly) {
        int slash = typed.lastIndexOf('/');
        String folderPart = typed.substring(0, slash + 1);
        String namePart = typed.substring(slash + 1);
        Path folder = folderPart.isEmpty() ? base : UserPath.resolve(base, folderPart);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(entry -> entry.getFileName().toString().startsWith(namePart))
                    .filter(entry -> namePart.startsWith(".")
                            || !entry.getFileName().toString().startsWith("."))
                    .filter(entry -> !foldersOnly || Files.isDirectory(entry))
                    .map(entry -> folderPart + entry.getFileName() + (Files.isDirectory(entry) ? "/" : ""))
                    .sorted()
                    .limit(LIMIT)
                    .toList();
        } catch (IOException | RuntimeException e) {
            return List.of(); // unreadable folder: nothing to offer
        }
    }

    /** Whether a value of this metavar names a file or folder: DIR, PATH or FILE (also PATH_OR_VARIABLE, …). */
    public static boolean isPath(String metavar) {
        return metavar != null
                && (metavar.startsWith("DIR") || metavar.startsWith("PATH") || metavar.startsWith("FILE"));
    }

    public static boolean isFolder(String metavar) {
        return metavar != null && metavar.startsWith("DIR");
    }
}
