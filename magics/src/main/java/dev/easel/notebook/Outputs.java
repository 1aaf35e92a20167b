package dev.easel.notebook;

import dev.easel.engine.EngineException;
import dev.easel.engine.io.Png;
import dev.easel.engine.pipeline.GenerationParameters;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where generated images are saved: {@code outputs/} next to the notebook unless set with {@code %outputs DIR},
 * {@link #setFolder} or the environment variable {@code EASEL_OUTPUTS}. Files are named like A1111's,
 * {@code 00012-42.png} (running number, seed), and carry the {@code parameters} text chunk.
 */
public final class Outputs {

    private static final Pattern NUMBERED = Pattern.compile("^(\\d{5,})-.*\\.png$");
    private static volatile Path folder;
    private static volatile Path notebookDirectory = Path.of("").toAbsolutePath();

    private Outputs() {}

    /** The folder images go to now. */
    public static Path folder() {
        Path chosen = folder;
        if (chosen != null) {
            return chosen;
        }
        String env = Environment.get("EASEL_OUTPUTS").orElse(null);
        return env != null ? notebookDirectory.resolve(env) : notebookDirectory.resolve("outputs");
    }

    /** Sets the folder (relative paths start at the notebook's folder); null goes back to the default. */
    public static void setFolder(Path newFolder) {
        folder = newFolder == null ? null : notebookDirectory.resolve(newFolder).normalize();
    }

    /** The magics tell where the notebook is, so the default folder sits next to it. */
    public static void setNotebookDirectory(Path directory) {
        notebookDirectory = directory.toAbsolutePath();
    }

    /** Saves one image with its parameters into {@code dir} under the next free number; returns the file. */
    public static synchronized Path save(RenderedImage image, GenerationParameters parameters, Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(String.format("%05d-%d.png", nextNumber(dir), parameters.seed()));
            Png.write(image, parameters.pngText(), file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the image in " + dir + ": " + e.getMessage(), e);
        } catch (EngineException e) {
            throw new UncheckedIOException(
                    new IOException("could not save the image in " + dir + ": " + e.getMessage(), e));
        }
    }

    private static int nextNumber(Path dir) throws IOException {
        int highest = -1;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = NUMBERED.matcher(f.getFileName().toString());
                if (m.matches()) {
                    highest = Math.max(highest, Integer.parseInt(m.group(1)));
                }
            }
        }
        return highest + 1;
    }
}
