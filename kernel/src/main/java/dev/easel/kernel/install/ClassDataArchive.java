package dev.easel.kernel.install;

import dev.easel.engine.io.AtomicFile;
import dev.easel.kernel.base.Log;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A kernelspec's class-data-sharing archive ({@code easel.jsa}): the classes a kernel start loads, recorded by one
 * run of {@code kernel --warm-up} under {@code -XX:ArchiveClassesAtExit} and mapped by every later start.
 *
 * <p>The JVM stops using an archive, with one warning line, as soon as easel.jar or the Java build changes — a
 * rebuild, or a Debian security update of the JDK — and each start then takes about 45 % longer (measured through
 * jupyter_client: 980 ms instead of 680 ms). So a kernel that finds its archive unused records it again itself,
 * in a detached process at the lowest CPU priority, and the next start is fast again.
 *
 * <p>An archive is written to a temporary file and moved into place: a kernel starting meanwhile maps the old archive
 * or the new one, never part of one.
 */
public final class ClassDataArchive {

    public static final String FILE_NAME = "easel.jsa";

    static final String USE_OPTION = "-XX:SharedArchiveFile=";
    private static final String RECORD_OPTION = "-XX:ArchiveClassesAtExit=";
    /** Recording a kernel's start takes ~4 s on two cores; far longer means it hangs. */
    private static final long RECORD_TIMEOUT_MINUTES = 5;
    /** How much of an archive's start the JVM's identity is in ("OpenJDK 64-Bit Server VM (17.0.15+6-…) for …"). */
    private static final int HEADER_BYTES = 4096;

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path NICE = Path.of("/usr/bin/nice");

    private ClassDataArchive() {}

    /**
     * Records {@code archive} for the kernel that {@code kernelCommand} starts ({@code java … kernel
     * {connection_file}}): the same command, with {@code --warm-up} for the connection file, runs once under
     * {@code -XX:ArchiveClassesAtExit}. While one process records an archive, others asked to record it do nothing.
     *
     * @return whether a new archive is in place
     */
    public static boolean record(Path archive, List<String> kernelCommand) throws IOException {
        Path lockFile = archive.resolveSibling(archive.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false; // another kernel is recording it
            }
            try {
                AtomicFile.replace(archive, temporary -> recordInto(temporary, kernelCommand));
                return true;
            } catch (RecordingFailed e) {
                return false;
            } finally {
                Files.deleteIfExists(lockFile); // while still holding it: never another process's lock
                lock.release();
            }
        }
    }

    /** Runs the kernel's command once, recording its classes into {@code temporary}. */
    private static void recordInto(Path temporary, List<String> kernelCommand) throws IOException {
        Process training = new ProcessBuilder(trainingCommand(kernelCommand, temporary))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!training.waitFor(RECORD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                training.destroyForcibly();
                throw new RecordingFailed();
            }
        } catch (InterruptedException e) {
            training.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RecordingFailed();
        }
        if (training.exitValue() != 0 || !Files.isRegularFile(temporary)) {
            throw new RecordingFailed();
        }
    }

    /** The training run did not leave an archive: nothing is replaced. */
    private static final class RecordingFailed extends IOException {}

    /** The kernel's own command, recording instead of mapping, with {@code --warm-up} for the connection file. */
    static List<String> trainingCommand(List<String> kernelCommand, Path recordTo) {
        List<String> training = new ArrayList<>(kernelCommand);
        training.removeIf(arg -> arg.startsWith(USE_OPTION));
        training.add(1, RECORD_OPTION + recordTo);
        training.set(training.size() - 1, "--warm-up");
        return training;
    }

    // ------------------------------------------------------------------------------------------ at kernel start

    /**
     * Run by a starting kernel: when the archive its command names went unused, records it again in a detached
     * process at the lowest CPU priority, or says in the log why it cannot.
     */
    public static void refreshIfUnused() {
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> arguments = self.arguments().map(Arrays::asList).orElse(List.of());
        Optional<Path> archive = named(arguments);
        if (archive.isEmpty() || self.command().isEmpty()) {
            return;
        }
        // JDK 17 leaves an archive it rejects unmapped; JDK 25 may keep part of it mapped, so a changed jar is
        // looked for either way. Without /proc (not Linux) only the jar is looked at.
        boolean mapped =
                readProcessMaps().map(maps -> isMapped(archive.get(), maps)).orElse(true);
        Optional<String> reason =
                whyUnused(archive.get(), mapped ? null : System.getProperty("java.vm.version"), classPathFiles());
        if (reason.isEmpty()) {
            if (!mapped) {
                Log.warn("the class-data archive " + archive.get() + " is not used; run the kernel's java with"
                        + " -Xlog:cds to see why (kernel start is slower without it)");
            }
            return;
        }
        if (!Files.isWritable(archive.get().toAbsolutePath().getParent())) {
            Log.warn("the class-data archive " + archive.get() + " is not used (" + reason.get() + ") and this user"
                    + " cannot write it; run 'java -jar easel.jar install' again to refresh it");
            return;
        }
        List<String> kernelCommand = new ArrayList<>();
        kernelCommand.add(self.command().get());
        kernelCommand.addAll(arguments);
        try {
            startDetached(archive.get(), kernelCommand);
            Log.info("the class-data archive " + archive.get() + " is not used (" + reason.get() + "); recording it"
                    + " again in the background, so that the next kernel starts faster");
        } catch (IOException e) {
            Log.warn("could not start recording the class-data archive again: " + e.getMessage());
        }
    }

    /** The archive a JVM started with {@code arguments} was told to map. */
    static Optional<Path> named(List<String> arguments) {
        return arguments.stream()
                .filter(arg -> arg.startsWith(USE_OPTION))
                .reduce((first, last) -> last) // as the JVM reads them, the last one counts
                .map(arg -> Path.of(arg.substring(USE_OPTION.length())));
    }

    /** Whether {@code archive} is among the files mapped into this process ({@code /proc/self/maps} text). */
    static boolean isMapped(Path archive, String maps) {
        Path real;
        try {
            real = archive.toRealPath();
        } catch (IOException e) {
            return false; // no such file, so not mapped
        }
        String suffix = " " + real;
        return maps.lines().anyMatch(line -> line.endsWith(suffix));
    }

    /**
     * Why the JVM would not use {@code archive}, when it is a reason recording again mends: missing, made by another
     * Java build than {@code vmVersion} (not looked at when null), or older than a jar on the class path. Empty when
     * none of these holds.
     */
    static Optional<String> whyUnused(Path archive, String vmVersion, List<Path> classPathFiles) {
        if (!Files.isRegularFile(archive)) {
            return Optional.of("it is missing");
        }
        try {
            byte[] header;
            try (InputStream in = Files.newInputStream(archive)) {
                header = in.readNBytes(HEADER_BYTES);
            }
            if (vmVersion != null && !new String(header, StandardCharsets.ISO_8859_1).contains("(" + vmVersion + ")")) {
                return Optional.of("it was recorded by another Java build than " + vmVersion);
            }
            long recorded = Files.getLastModifiedTime(archive).toMillis();
            for (Path file : classPathFiles) {
                if (Files.getLastModifiedTime(file).toMillis() > recorded) {
                    return Optional.of(file.getFileName() + " changed since it was recorded");
                }
            }
        } catch (IOException e) {
            return Optional.of("it cannot be read: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static List<Path> classPathFiles() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of)
                .filter(Files::isRegularFile)
                .toList();
    }

    private static Optional<String> readProcessMaps() {
        try {
            return Optional.of(Files.readString(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not Linux: the JVM's own warning is all there is
        }
    }

    /**
     * Starts {@link #main} in a new session (so stopping the kernel's process group does not stop it) at the lowest
     * CPU priority (so it takes nothing from the notebook's cells), where {@code setsid} and {@code nice} exist.
     */
    private static void startDetached(Path archive, List<String> kernelCommand) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        if (Files.isExecutable(NICE)) {
            command.addAll(List.of(NICE.toString(), "-n", "19"));
        }
        command.addAll(List.of(
                kernelCommand.get(0),
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                "-cp",
                System.getProperty("java.class.path"),
                ClassDataArchive.class.getName(),
                archive.toString()));
        command.addAll(kernelCommand);
        new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** {@code ClassDataArchive <archive> <kernel command…>}: what {@link #refreshIfUnused} starts. */
    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        System.exit(record(Path.of(arguments.get(0)), arguments.subList(1, arguments.size())) ? 0 : 1);
    }
}
