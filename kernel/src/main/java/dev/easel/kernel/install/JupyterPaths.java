package dev.easel.kernel.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Where Jupyter looks for kernelspecs, by the same rules as {@code jupyter_core.paths}. */
public final class JupyterPaths {

    private JupyterPaths() {}

    /** The user's {@code kernels} folder: {@code $JUPYTER_DATA_DIR}, {@code $XDG_DATA_HOME/jupyter} or {@code ~/.local/share/jupyter}. */
    public static Path userKernels() {
        String dataDir = System.getenv("JUPYTER_DATA_DIR");
        if (dataDir != null && !dataDir.isBlank()) {
            return Path.of(dataDir, "kernels");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "jupyter", "kernels");
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "jupyter", "kernels");
    }

    /** {@code <sys.prefix>/share/jupyter/kernels} of the Python that runs Jupyter. */
    static Path sysPrefixKernels() {
        return prefixKernels(Path.of(pythonPrefix()));
    }

    static Path prefixKernels(Path prefix) {
        return prefix.resolve("share").resolve("jupyter").resolve("kernels");
    }

    private static String pythonPrefix() {
        for (String python : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process process = new ProcessBuilder(python, "-c", "import sys; print(sys.prefix)")
                        .redirectErrorStream(true)
                        .start();
                if (process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0) {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                }
            } catch (IOException e) {
                // try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "/usr";
    }
}
