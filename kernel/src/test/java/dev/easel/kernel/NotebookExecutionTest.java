package dev.easel.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.io.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code jupyter nbconvert --execute} of every notebook in notebooks/: a failing cell fails the conversion, and each
 * notebook must come out with the images it is there to show. Each runs from a fresh copy in target/, as on a new
 * checkout, so what an earlier run left next to the notebooks can neither help nor break it.
 */
class NotebookExecutionTest {

    /** The images each notebook shows when it works (generations, grids, charts). */
    private static final Map<String, Integer> MIN_IMAGES =
            Map.of("01-getting-started.ipynb", 4, "03-dreambooth.ipynb", 5, "04-xyz-sweep.ipynb", 4);

    @Test
    void notebooksExecuteHeadless() throws Exception {
        Path jupyter = JupyterHarness.install("easel-test", JupyterHarness.currentJava());
        Path notebooks = Path.of("..", "notebooks").toAbsolutePath().normalize();
        Path output = Files.createDirectories(Path.of("target", "notebooks").toAbsolutePath());
        try (Stream<Path> files = Files.list(notebooks)) {
            for (Path original :
                    files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList()) {
                Path workspace = Path.of(
                                "target",
                                "notebook-runs",
                                original.getFileName().toString().replace(".ipynb", ""))
                        .toAbsolutePath();
                Folders.deleteTree(workspace);
                Path notebook =
                        Files.copy(original, Files.createDirectories(workspace).resolve(original.getFileName()));
                int exit = JupyterHarness.run(
                        Duration.ofMinutes(4),
                        Map.of(),
                        "/usr/bin/jupyter",
                        "nbconvert",
                        "--to",
                        "html",
                        "--execute",
                        "--ExecutePreprocessor.kernel_name=easel-test",
                        "--ExecutePreprocessor.timeout=600",
                        "--output-dir",
                        output.toString(),
                        notebook.toString());
                assertEquals(0, exit, "nbconvert --execute " + notebook.getFileName() + " failed (output above)");
                String name = notebook.getFileName().toString().replace(".ipynb", ".html");
                String html = Files.readString(output.resolve(name));
                int images = html.split("data:image/png;base64,", -1).length - 1;
                int wanted = MIN_IMAGES.getOrDefault(notebook.getFileName().toString(), 1);
                assertTrue(images >= wanted, name + " has " + images + " PNG outputs, expected at least " + wanted);
            }
        }
        assertTrue(Files.isDirectory(jupyter));
    }
}
