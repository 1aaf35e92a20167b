package dev.easel.kernel;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code jupyter_kernel_test}'s whole suite (src/test/python/test_jupyter_kernel.py) against the kernel. */
class JupyterKernelConformanceTest {

    @Test
    void jupyterKernelTestPasses() throws Exception {
        JupyterHarness.install("easel-test", JupyterHarness.currentJava());
        JupyterHarness.assertPythonTestsPass("test_jupyter_kernel", "easel-test", Map.of(), Duration.ofMinutes(4));
    }
}
