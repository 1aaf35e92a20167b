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
        Path spec = KernelSpecInstaller.install(
                dir,
                new KernelSpecInstaller.Spec(
                        "easel", "Java (Easel)", "/opt/java/bin/java", List.of("-Dfoo=bar"), "/a.jar:/b.jar"));
        JsonNode json = Json.MAPPER.readTree(spec.resolve("kernel.json").toFile());
        assertEquals("java", json.get("language").asText());
        assertEquals("message", json.get("interrupt_mode").asText());
        assertEquals("Java (Easel)", json.get("display_name").asText());
        assertEquals("2", json.get("env").get("MALLOC_ARENA_MAX").asText(), "memory flat from cell to cell");
        assertEquals("1", json.get("env").get("THP_MEM_ALLOC_ENABLE").asText(), "libtorch's huge pages, set at launch");
        List<String> argv = Json.MAPPER.convertValue(
                json.get("argv"), new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {});
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
        List<String> argv =
                KernelSpecInstaller.argv(new KernelSpecInstaller.Spec("e", "E", "java", List.of("-Xmx8g"), "cp"));
        assertFalse(argv.contains(KernelSpecInstaller.DEFAULT_HEAP));
        assertTrue(argv.contains("-Xmx8g"));
    }

    @Test
    void installCommandParsesItsOptions() throws Exception {
        int exit = new InstallCommand()
                .run(List.of(
                        "--prefix",
                        dir.toString(),
                        "--name",
                        "easel-x",
                        "--display-name",
                        "X",
                        "--jvm-arg",
                        "-Xmx1g",
                        "--java",
                        "/j/bin/java",
                        "--class-path",
                        "/c.jar",
                        "--no-cds"));
        assertEquals(0, exit);
        Path spec = dir.resolve("share/jupyter/kernels/easel-x/kernel.json");
        assertTrue(Files.readString(spec).contains("\"/j/bin/java\""));
        assertEquals(0, new UninstallCommand().run(List.of("--prefix", dir.toString(), "--name", "easel-x")));
    }

    @Test
    void aJdkFrom23OnAllowsUnsafeMemoryAccessSoTablesawsLibraryDoesNotFillTheLogWithWarnings() throws Exception {
        Path jdk25 = fakeJdk("jdk25", "25.0.3");
        Path jdk17 = fakeJdk("jdk17", "17.0.15");
        assertEquals(25, KernelSpecInstaller.featureVersion(jdk25.toString()).getAsInt());
        assertTrue(argv(jdk25).contains(KernelSpecInstaller.ALLOW_UNSAFE_MEMORY_ACCESS));
        assertFalse(argv(jdk17).contains(KernelSpecInstaller.ALLOW_UNSAFE_MEMORY_ACCESS), "JDK 17 would not start");
        assertTrue(KernelSpecInstaller.featureVersion("java").isEmpty(), "a bare name has no release file to read");
        assertFalse(argv(Path.of("java")).contains(KernelSpecInstaller.ALLOW_UNSAFE_MEMORY_ACCESS));
    }

    private Path fakeJdk(String name, String version) throws Exception {
        Path bin = Files.createDirectories(dir.resolve(name).resolve("bin"));
        Files.writeString(
                dir.resolve(name).resolve("release"), "IMPLEMENTOR=\"X\"\nJAVA_VERSION=\"" + version + "\"\n");
        return Files.createFile(bin.resolve("java"));
    }

    private static List<String> argv(Path java) {
        return KernelSpecInstaller.argv(new KernelSpecInstaller.Spec("e", "E", java.toString(), List.of(), "cp"));
    }
}
