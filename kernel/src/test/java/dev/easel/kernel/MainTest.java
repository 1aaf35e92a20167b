package dev.easel.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.kernel.base.Version;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void helpListsEverySubcommandFoundByServiceLoader() {
        List<String> names = Main.subcommands().stream().map(c -> c.name()).toList();
        assertTrue(names.containsAll(List.of("install", "uninstall", "kernel", "bench-kernel")), names.toString());
        String usage = Main.usage(Main.subcommands());
        for (String name : names) {
            assertTrue(usage.contains("  " + name + " "), usage);
        }
    }

    @Test
    void versionAndUnknownSubcommand() {
        assertEquals(0, Main.run(new String[] {"--version"}));
        assertEquals(0, Main.run(new String[] {"--help"}));
        assertEquals(2, Main.run(new String[] {"no-such-command"}));
        assertTrue(Version.get().matches("\\d+\\.\\d+\\.\\d+.*"), Version.get());
    }

    @Test
    void aBadConnectionFileEndsTheKernelWithOneLineAndNoTrace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(
                dir.resolve("kernel.json"),
                "{\"transport\": \"ipc\", \"ip\": \"kernel\", \"shell_port\": 1, \"control_port\": 2,"
                        + " \"stdin_port\": 3, \"iopub_port\": 4, \"hb_port\": 5, \"key\": \"k\"}");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int status;
        try {
            status = Main.run(new String[] {"kernel", file.toString()});
        } finally {
            System.setErr(original);
        }
        assertEquals(2, status);
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(
                err.toString().startsWith("easel kernel: connection file " + file + ": transport \"ipc\""),
                err.toString());
    }

    @org.junit.jupiter.api.Test
    void theInstallerNamesTheEntryPoint() {
        org.junit.jupiter.api.Assertions.assertEquals(
                Main.class.getName(), dev.easel.kernel.install.KernelSpecInstaller.MAIN_CLASS);
    }
}
