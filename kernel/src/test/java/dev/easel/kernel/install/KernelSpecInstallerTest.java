package dev.easel.kernel.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.kernel.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSpecInstallerTest {

    @TempDir
    Path dir;

    @Test
    void writesKernelJsonAndLogosThenRemovesThem() throws Exception {
        Path spec = KernelSpecInstaller.install(dir, new KernelSpecInstaller.Spec("easel", "Java (Easel)",
                "/opt/java/bin/java", List.of("-Dfoo=bar"), "/a.jar:/b.jar"));
        JsonNode json = Json.MAPPER.readTree(spec.resolve("kernel.json").toFile());
        assertEquals("java", json.get("language").asText());
        assertEquals("message", json.get("interrupt_mode").asText());
        assertEquals("Java (Easel)", json.get("display_name").asText());
        assertEquals("2", json.get("env").get("MALLOC_ARENA_MAX").asText(), "memory flat from cell to cell");
        List<String> argv = Json.MAPPER.convertValue(json.get("argv"), List.class);
        assertEquals("/opt/java/bin/java", argv.get(0));
        assertTrue(argv.contains(KernelSpecInstaller.DEFAULT_HEAP));
        assertTrue(argv.contains("-Dfoo=bar"));
        assertEquals(List.of("kernel", "{connection_file}"), argv.subList(argv.size() - 2, argv.size()));
        assertTrue(Files.size(spec.resolve("logo-64x64.png")) > 0);
        assertTrue(Files.size(spec.resolve("logo-32x32.png")) > 0);
        assertTrue(KernelSpecInstaller.uninstall(dir, "easel"));
        assertFalse(Files.exists(spec));
        assertFalse(KernelSpecInstaller.uninstall(dir, "easel"));
    }

    @Test
    void anXmxJvmArgReplacesTheDefaultHeap() {
        List<String> argv = KernelSpecInstaller.argv(new KernelSpecInstaller.Spec("e", "E", "java",
                List.of("-Xmx8g"), "cp"));
        assertFalse(argv.contains(KernelSpecInstaller.DEFAULT_HEAP));
        assertTrue(argv.contains("-Xmx8g"));
    }

    @Test
    void installCommandParsesItsOptions() throws Exception {
        int exit = new InstallCommand().run(List.of("--prefix", dir.toString(), "--name", "easel-x",
                "--display-name", "X", "--jvm-arg", "-Xmx1g", "--java", "/j/bin/java", "--class-path", "/c.jar", "--no-cds"));
        assertEquals(0, exit);
        Path spec = dir.resolve("share/jupyter/kernels/easel-x/kernel.json");
        assertTrue(Files.readString(spec).contains("\"/j/bin/java\""));
        assertEquals(0, new UninstallCommand().run(List.of("--prefix", dir.toString(), "--name", "easel-x")));
    }
}
