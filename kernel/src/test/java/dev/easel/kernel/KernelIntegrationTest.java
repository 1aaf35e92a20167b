package dev.easel.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * src/test/python/test_integration.py through jupyter_client: interrupts (busy loop, sleep, blocking read), 10,000
 * lines, forged signatures, System.exit, stop_on_error, displays, comms, restart — on the JDK running the tests, and
 * again (with jupyter_kernel_test) on JDK 25 when it is installed.
 */
class KernelIntegrationTest {

    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @Test
    void integrationOnTheTestJdk() throws Exception {
        JupyterHarness.install("easel-test", JupyterHarness.currentJava());
        JupyterHarness.assertPythonTestsPass("test_integration", "easel-test", Map.of(), Duration.ofMinutes(5));
    }

    /** On JDK 20+ JShell stops busy code with stop checks woven into snippets instead of Thread.stop. */
    @Test
    void integrationAndConformanceOnJdk25() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JDK25), "JDK 25 is not installed at " + JDK25);
        JupyterHarness.install("easel-jdk25", JDK25.toString());
        JupyterHarness.assertPythonTestsPass("test_integration", "easel-jdk25", Map.of(), Duration.ofMinutes(5));
        JupyterHarness.assertPythonTestsPass("test_jupyter_kernel", "easel-jdk25", Map.of(), Duration.ofMinutes(4));
    }
}
