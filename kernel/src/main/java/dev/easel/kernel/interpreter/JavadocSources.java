package dev.easel.kernel.interpreter;

import dev.easel.kernel.base.Log;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where JShell finds the Javadoc that inspection (Shift-Tab, {@code name?}) shows: the JDK's {@code src.zip}, as JShell
 * looks for it itself, and the sources Easel's jars carry under {@code easel-sources/} — so the notebook API
 * ({@code sd.txt2img}, {@code .cfg(…)}) is documented where it is used.
 *
 * <p>JShell has no API for a source path: {@code SourceCodeAnalysisImpl} reads a static list kept for its own tests,
 * set here by reflection. That needs {@code jdk.jshell} opened to Easel — the jar's manifest does it
 * ({@code Add-Opens}), as does the class-path kernelspec. Where that fails (another JDK's JShell, a launcher without
 * the option), inspection works as before, with signatures and the JDK's Javadoc only.
 */
final class JavadocSources {

    static final String FOLDER = "easel-sources";

    private JavadocSources() {}

    /** Tells JShell about the JDK's and Easel's sources, before its first documentation lookup reads them. */
    static void install(ClassLoader loader) {
        List<Path> sources = new ArrayList<>(jdkSources());
        sources.addAll(easelSources(loader));
        try {
            Field override =
                    Class.forName("jdk.jshell.SourceCodeAnalysisImpl").getDeclaredField("availableSourcesOverride");
            override.setAccessible(true);
            override.set(null, List.copyOf(sources));
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug("Easel's Javadoc is not available to inspection: " + e);
        }
    }

    /** The JDK's sources as JShell finds them: {@code lib/src.zip}, one root per module. */
    static List<Path> jdkSources() {
        Path home = Path.of(System.getProperty("java.home"));
        Path srcZip = home.resolve("lib").resolve("src.zip");
        if (!Files.isReadable(srcZip)) {
            srcZip = home.getParent().resolve("src.zip");
        }
        if (!Files.isReadable(srcZip)) {
            return List.of();
        }
        try {
            FileSystem zip = FileSystems.newFileSystem(srcZip); // open for the kernel's lifetime, as JShell keeps it
            Path root = zip.getRootDirectories().iterator().next();
            if (Files.exists(root.resolve("java/lang/Object.java"))) {
                return List.of(srcZip);
            }
            List<Path> modules = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
                entries.forEach(entry -> {
                    if (Files.isDirectory(entry)) {
                        modules.add(entry);
                    }
                });
            }
            return modules;
        } catch (IOException | RuntimeException e) {
            Log.debug("cannot read " + srcZip + ": " + e);
            return List.of();
        }
    }

    /** Every {@code easel-sources/} folder on the class path: one in easel.jar, one per module when run from Maven. */
    static List<Path> easelSources(ClassLoader loader) {
        List<Path> roots = new ArrayList<>();
        try {
            for (URL url : Collections.list(loader.getResources(FOLDER))) {
                Path root = pathOf(url.toURI());
                if (Files.isDirectory(root)) {
                    roots.add(root);
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            Log.debug("cannot list Easel's sources: " + e);
        }
        return roots;
    }

    private static Path pathOf(URI uri) throws IOException {
        if (!uri.getScheme().equals("jar")) {
            return Path.of(uri);
        }
        try {
            FileSystems.newFileSystem(uri, Map.of()); // open for the kernel's lifetime
        } catch (FileSystemAlreadyExistsException alreadyOpen) {
            // opened before; Path.of finds it
        }
        return Path.of(uri);
    }
}
