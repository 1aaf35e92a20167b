package dev.easel.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The getting-started notebook in a real browser: Debian's classic Jupyter Notebook server on loopback, Debian's
 * chromium driven headless by playwright-core (notebooks/tests/browser/run-notebook.mjs) — it runs every cell and
 * requires PNG {@code <img>} outputs. The screenshot is kept in target/browser as a test artifact.
 */
class BrowserNotebookTest {

    @Test
    void gettingStartedRunsInARealBrowserAndShowsImages() throws Exception {
        JupyterHarness.install("easel-test", JupyterHarness.currentJava());
        Path browserTest =
                Path.of("..", "notebooks", "tests", "browser").toAbsolutePath().normalize();
        Path notebook = Path.of("..", "notebooks", "01-getting-started.ipynb")
                .toAbsolutePath()
                .normalize();
        Path out = Path.of("target", "browser").toAbsolutePath();
        assertEquals(
                0,
                JupyterHarness.run(
                        Duration.ofMinutes(3),
                        Map.of(),
                        "npm",
                        "ci",
                        "--no-audit",
                        "--no-fund",
                        "--loglevel=error",
                        "--prefix",
                        browserTest.toString()),
                "npm ci of playwright-core failed");
        int exit = JupyterHarness.run(
                Duration.ofMinutes(12),
                Map.of(),
                "node",
                browserTest.resolve("run-notebook.mjs").toString(),
                "--notebook",
                notebook.toString(),
                "--out",
                out.toString(),
                "--kernel",
                "easel-test",
                "--min-images",
                "4",
                "--timeout",
                "600");
        assertEquals(0, exit, "the notebook did not run cleanly in chromium (output above)");
        try (var files = Files.list(out)) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".png")), "a screenshot in " + out);
        }
    }
}
