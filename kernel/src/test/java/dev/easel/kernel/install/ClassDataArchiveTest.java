package dev.easel.kernel.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.easel.engine.io.AtomicFile;
import dev.easel.kernel.base.Log;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {

    @TempDir
    Path dir;

    @Test
    void theLastSharedArchiveOptionIsTheOneNamed() {
        assertEquals(
                Optional.of(Path.of("/b.jsa")),
                ClassDataArchive.named(List.of(
                        "-Xmx2g",
                        "-XX:SharedArchiveFile=/a.jsa",
                        "-XX:SharedArchiveFile=/b.jsa",
                        "-jar",
                        "easel.jar",
                        "kernel",
                        "c.json")));
        assertEquals(Optional.empty(), ClassDataArchive.named(List.of("-jar", "easel.jar", "kernel", "c.json")));
    }

    @Test
    void anArchiveIsInUseWhenItsRealPathIsMapped() throws Exception {
        Path archive = Files.writeString(dir.resolve("easel.jsa"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link.jsa"), archive);
        String maps = "7f00-7f10 r--p 00000000 08:01 1234 " + archive.toRealPath() + "\n"
                + "7f10-7f20 r-xp 00000000 08:01 99 /usr/lib/libc.so.6\n";
        assertTrue(ClassDataArchive.isMapped(archive, maps));
        assertTrue(ClassDataArchive.isMapped(link, maps), "named through a link, mapped as the file");
        assertFalse(ClassDataArchive.isMapped(archive, "7f10-7f20 r-xp 00000000 08:01 99 /usr/lib/libc.so.6\n"));
        assertFalse(ClassDataArchive.isMapped(dir.resolve("missing.jsa"), maps));
    }

    @Test
    void saysWhyAnUnusedArchiveShouldBeRecordedAgain() throws Exception {
        String vm = "17.0.15+6-Debian-1deb12u1";
        Path jar = Files.writeString(dir.resolve("easel.jar"), "jar");
        Path archive = dir.resolve("easel.jsa");
        assertEquals(Optional.of("it is missing"), ClassDataArchive.whyUnused(archive, vm, List.of(jar)));

        Files.writeString(
                archive,
                "OpenJDK 64-Bit Server VM (17.0.13+11-Debian-2) for linux-amd64 JRE ...",
                StandardCharsets.ISO_8859_1);
        assertEquals(
                Optional.of("it was recorded by another Java build than " + vm),
                ClassDataArchive.whyUnused(archive, vm, List.of(jar)));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(0));
        assertEquals(
                Optional.empty(),
                ClassDataArchive.whyUnused(archive, null, List.of(jar)),
                "the header is not looked at for an archive the JVM mapped");

        Files.writeString(
                archive, "OpenJDK 64-Bit Server VM (" + vm + ") for linux-amd64 JRE ...", StandardCharsets.ISO_8859_1);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(2_000_000));
        assertEquals(
                Optional.of("easel.jar changed since it was recorded"),
                ClassDataArchive.whyUnused(archive, vm, List.of(jar)));

        Files.setLastModifiedTime(archive, FileTime.fromMillis(3_000_000));
        assertEquals(
                Optional.empty(),
                ClassDataArchive.whyUnused(archive, vm, List.of(jar)),
                "nothing recording again would mend");
    }

    @Test
    void theTrainingRunIsTheKernelsCommandRecordingInsteadOfMapping() {
        List<String> kernel = List.of(
                "/jdk/bin/java",
                "-Xmx2g",
                "-XX:SharedArchiveFile=/k/easel.jsa",
                "-jar",
                "/e/easel.jar",
                "kernel",
                "/run/c.json");
        assertEquals(
                List.of(
                        "/jdk/bin/java",
                        "-XX:ArchiveClassesAtExit=/k/t.tmp",
                        "-Xmx2g",
                        "-jar",
                        "/e/easel.jar",
                        "kernel",
                        "--warm-up"),
                ClassDataArchive.trainingCommand(kernel, Path.of("/k/t.tmp")));
    }

    /**
     * The whole loop with real JVMs on a small program standing in for the kernel: recorded, used; its jar changes,
     * so the JVM no longer uses it; the program, like a starting kernel, records it again in the background; used.
     */
    @Test
    void anArchiveLeftUnusedByAChangedJarIsRecordedAgainAndThenUsed() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc to see what is mapped");
        Path jar = probeJar();
        Path archive = dir.resolve(ClassDataArchive.FILE_NAME);
        String java = KernelSpecInstaller.currentJava();
        List<String> command = List.of(
                java,
                "-XX:SharedArchiveFile=" + archive,
                "-cp",
                jar.toString(),
                Probe.class.getName(),
                "{connection_file}");

        assertTrue(ClassDataArchive.record(archive, command));
        assertEquals("mapped", run(command, "check"));
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of(),
                    files.filter(f -> f.toString().matches(".*\\.(tmp|lock)")).toList(),
                    "no temporary or lock file left behind");
        }

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        FileTime recorded = Files.getLastModifiedTime(archive);
        assertEquals("not mapped", run(command, "check"));
        assertEquals("not mapped", run(command, "refresh"));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (Files.getLastModifiedTime(archive).equals(recorded)
                || Files.exists(archive.resolveSibling("easel.jsa.lock"))) {
            assertTrue(System.nanoTime() < deadline, "the archive was not recorded again within two minutes");
            Thread.sleep(200);
        }
        assertEquals("mapped", run(command, "check"));
    }

    /**
     * Runs {@code command} with its last argument replaced by {@code mode}; the last line it printed (the JVM prints
     * its own warning about an archive it cannot use on standard output too).
     */
    private static String run(List<String> command, String mode) throws Exception {
        List<String> argv = new ArrayList<>(command.subList(0, command.size() - 1));
        argv.add(mode);
        Process process = new ProcessBuilder(argv)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, process.waitFor(), out);
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    /** A jar with {@link Probe} and what {@link ClassDataArchive} needs outside the JDK, nested classes included. */
    private Path probeJar() throws Exception {
        Path jar = dir.resolve("probe.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> type : List.of(ClassDataArchive.class, AtomicFile.class, Log.class, Probe.class)) {
                addClass(out, type);
            }
        }
        return jar;
    }

    /** Copies the class file of {@code type} and its nested classes, wherever they come from (a folder or a jar). */
    private static void addClass(JarOutputStream out, Class<?> type) throws Exception {
        String entry = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            addClass(out, nested);
        }
    }

    /** Stands in for the kernel: {@code --warm-up} loads a few classes, as the kernel's does. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            switch (args[0]) {
                case "--warm-up" -> ToolProvider.getSystemDocumentationTool();
                case "check", "refresh" -> {
                    Path archive = ClassDataArchive.named(ProcessHandle.current()
                                    .info()
                                    .arguments()
                                    .map(List::of)
                                    .orElseThrow())
                            .orElseThrow();
                    System.out.println(
                            ClassDataArchive.isMapped(archive, Files.readString(Path.of("/proc/self/maps")))
                                    ? "mapped"
                                    : "not mapped");
                    if (args[0].equals("refresh")) {
                        ClassDataArchive.refreshIfUnused();
                    }
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }
}
