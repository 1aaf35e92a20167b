package dev.easel.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.easel.engine.io.Folders;
import dev.easel.kernel.install.KernelSpecInstaller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real Jupyter tools (Debian's {@code /usr/bin/python3}) against kernels launched from this test JVM's
 * class path — the shaded jar does not exist yet in the test phase. Each kernelspec goes into a temporary
 * {@code JUPYTER_PATH}/{@code JUPYTER_DATA_DIR}, so nothing of the user's Jupyter setup is touched, and history
 * files stay there too.
 */
public final class JupyterHarness {

    public static final String PYTHON = "/usr/bin/python3";
    public static final Path PYTHON_TESTS = Path.of("src", "test", "python").toAbsolutePath();

    private static Path jupyterDir;

    private JupyterHarness() {}

    /** The temporary Jupyter data folder, with kernelspec {@code name} installed for {@code java}. */
    public static synchronized Path install(String name, String java) throws IOException {
        if (jupyterDir == null) {
            jupyterDir = Files.createTempDirectory("easel-jupyter");
            Path created = jupyterDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Folders.deleteTree(created);
                } catch (IOException e) {
                    System.err.println("could not remove " + created + ": " + e);
                }
            }));
        }
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        KernelSpecInstaller.install(
                jupyterDir.resolve("kernels"),
                new KernelSpecInstaller.Spec(
                        name, "Java (Easel, test)", java, List.of("-Xmx1g", "-Dai.djl.offline=true"), classPath));
        return jupyterDir;
    }

    /** Runs {@code /usr/bin/python3 args…} (or another program) with the test Jupyter folder; prints its output. */
    public static int run(Duration timeout, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(PYTHON_TESTS.toFile()).redirectErrorStream(true);
        builder.environment().put("JUPYTER_PATH", jupyterDir.toString());
        builder.environment().put("JUPYTER_DATA_DIR", jupyterDir.toString());
        builder.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        builder.environment().put("PYTHONUNBUFFERED", "1");
        builder.environment().putAll(env);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        Thread pump = new Thread(() -> {
            try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.out.println("  | " + line);
                    lines.add(line);
                }
            } catch (IOException e) {
                // process ended
            }
        });
        pump.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            pump.join(5000);
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
        }
        pump.join(5000);
        return process.exitValue();
    }

    /** Asserts that {@code python3 -m unittest module} passes against kernelspec {@code kernel}. */
    public static void assertPythonTestsPass(String module, String kernel, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("EASEL_KERNEL_NAME", kernel);
        int exit = run(timeout, all, PYTHON, "-m", "unittest", "-v", module);
        assertEquals(0, exit, "python3 -m unittest " + module + " failed; its output is above");
    }

    public static String currentJava() {
        return KernelSpecInstaller.currentJava();
    }
}
