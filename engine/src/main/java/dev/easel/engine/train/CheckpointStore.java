package dev.easel.engine.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.BadValueException;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.Folders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints of one training run, as folders {@code checkpoint-STEP} under the run's folder, each with a
 * {@code manifest.json}. A checkpoint is written into a hidden temporary folder, flushed to disk and renamed into
 * place, so a crash, a kill -9 or a full disk during the write leaves every earlier checkpoint as it was; only then
 * are checkpoints beyond the newest {@code keepLast} removed.
 */
public final class CheckpointStore {

    /** A complete checkpoint: its folder, its step and the manifest written with it. */
    public record Checkpoint(Path folder, long step, Map<String, Object> manifest) {}

    /** Writes a checkpoint's files into the folder it is given. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path folder) throws IOException;
    }

    public static final String MANIFEST = "manifest.json";
    /** The run folder a training keeps in its output folder. */
    public static final String RUN_FOLDER = "checkpoints";

    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final Pattern PARTIAL = Pattern.compile("\\.checkpoint-\\d+\\.partial-(\\d+)");
    private static final System.Logger LOG = System.getLogger(CheckpointStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path runFolder;
    private final int keepLast;

    public CheckpointStore(Path runFolder, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keep at least 1 checkpoint, got " + keepLast);
        }
        this.runFolder = runFolder;
        this.keepLast = keepLast;
    }

    /**
     * Writes the checkpoint of {@code step} atomically and prunes old ones.
     *
     * @throws UncheckedIOException one line naming the step, the folder and the cause; earlier checkpoints are intact
     */
    public Checkpoint save(long step, Map<String, Object> manifest, Contents contents) {
        Path target = runFolder.resolve("checkpoint-" + step);
        Path temporary = runFolder.resolve(
                ".checkpoint-" + step + ".partial-" + ProcessHandle.current().pid());
        Map<String, Object> fullManifest = new LinkedHashMap<>(manifest);
        fullManifest.put("step", step);
        try {
            Files.createDirectories(runFolder);
            removeLeftovers();
            Files.createDirectory(temporary);
            contents.writeTo(temporary);
            JSON.writerWithDefaultPrettyPrinter()
                    .writeValue(temporary.resolve(MANIFEST).toFile(), fullManifest);
            syncTree(temporary);
            replace(temporary, target);
            sync(runFolder);
        } catch (IOException | RuntimeException e) {
            try {
                Folders.deleteTree(temporary);
            } catch (IOException ignored) {
                // The partial folder is hidden and ignored; the next save removes it.
            }
            String previous =
                    latest().map(c -> "; checkpoint-" + c.step() + " is intact").orElse("");
            throw new UncheckedIOException(new IOException(
                    "could not write checkpoint-" + step + " in " + runFolder + ": " + describe(e) + previous, e));
        }
        prune();
        return new Checkpoint(target, step, fullManifest);
    }

    /** Complete checkpoints, oldest first. Partial folders left by a crash are ignored. */
    public List<Checkpoint> list() {
        if (!Files.isDirectory(runFolder)) {
            return List.of();
        }
        List<Checkpoint> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runFolder)) {
            for (Path entry : entries) {
                Matcher m = NAME.matcher(entry.getFileName().toString());
                if (m.matches() && Files.isRegularFile(entry.resolve(MANIFEST))) {
                    found.add(open(entry));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list checkpoints in " + runFolder + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparingLong(Checkpoint::step));
        return found;
    }

    public Optional<Checkpoint> latest() {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Refuses to start a new run in a folder that holds an earlier run's checkpoints: mixing two runs' checkpoints
     * would make a later resume continue the wrong one, and pruning would delete the earlier run's work.
     *
     * @throws BadValueException one line naming the folder, its latest checkpoint and the two ways on
     */
    public void requireNoEarlierRun() {
        latest().ifPresent(c -> {
            throw new BadValueException(runFolder + " already holds checkpoint-" + c.step()
                    + " of an earlier run; resume from it, or choose another output folder");
        });
    }

    /**
     * The checkpoint to resume from: {@link #open} of a checkpoint or run folder, or of the run folder in a
     * training's output folder (what {@code --output} named, so {@code --resume} takes the same folder).
     *
     * @throws EngineException one line saying why the folder is not a checkpoint
     */
    public static Checkpoint openToResume(Path folder) {
        Path runFolder = folder.resolve(RUN_FOLDER);
        boolean outputFolder = !Files.isRegularFile(folder.resolve(MANIFEST))
                && new CheckpointStore(folder, 1).latest().isEmpty()
                && Files.isDirectory(runFolder);
        return open(outputFolder ? runFolder : folder);
    }

    /**
     * Opens a checkpoint folder, or — given a run folder — its latest checkpoint.
     *
     * @throws EngineException one line saying why the folder is not a checkpoint
     */
    public static Checkpoint open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new BadValueException(folder + " is not a folder; pass a checkpoint-N folder or a run folder");
        }
        Path manifestFile = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            return new CheckpointStore(folder, 1)
                    .latest()
                    .orElseThrow(() -> new BadValueException(folder + " is not a checkpoint (no " + MANIFEST
                            + ") and holds none; pass a checkpoint-N folder of a run"));
        }
        try {
            Map<String, Object> manifest = JSON.readValue(manifestFile.toFile(), new TypeReference<>() {});
            Object step = manifest.get("step");
            if (!(step instanceof Number number)) {
                throw new EngineException(manifestFile + " has no step; it is not an Easel checkpoint");
            }
            return new Checkpoint(folder, number.longValue(), manifest);
        } catch (IOException e) {
            throw new EngineException(manifestFile + " is not readable JSON ("
                    + e.getMessage().lines().findFirst().orElse("")
                    + "); the checkpoint is damaged, resume from an earlier one");
        }
    }

    /**
     * Removes the hidden folders a killed writer left behind: {@code .checkpoint-N.partial-PID} of processes no
     * longer alive (a live one may still be writing it) and the {@code .deleting} / {@code .replaced} folders of an
     * interrupted prune or swap. Called when a run starts or resumes, and before each save.
     *
     * @return how many folders were removed
     */
    public int removeLeftovers() {
        if (!Files.isDirectory(runFolder)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runFolder, ".checkpoint-*")) {
            for (Path entry : entries) {
                if (!writerAlive(entry.getFileName().toString())) {
                    Folders.deleteTree(entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "could not remove leftover folders in " + runFolder + ": " + e.getMessage());
        }
        return removed;
    }

    /** Whether a {@code .checkpoint-N.partial-PID} folder belongs to another process that is still running. */
    private static boolean writerAlive(String name) {
        Matcher m = PARTIAL.matcher(name);
        if (!m.matches()) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        return pid != ProcessHandle.current().pid()
                && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void prune() {
        List<Checkpoint> all = list();
        for (int i = 0; i < all.size() - keepLast; i++) {
            Path old = all.get(i).folder();
            Path doomed = runFolder.resolve("." + old.getFileName() + ".deleting");
            try {
                // Rename first so a crash mid-delete never leaves a half-deleted folder that looks complete.
                Files.move(old, doomed, StandardCopyOption.ATOMIC_MOVE);
                Folders.deleteTree(doomed);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not remove old checkpoint " + old + ": " + e.getMessage());
            }
        }
    }

    private void replace(Path temporary, Path target) throws IOException {
        if (!Files.exists(target)) {
            move(temporary, target);
            return;
        }
        // Saving a step again (after a resume): swap the old one out before moving the new one in.
        Path old = runFolder.resolve("." + target.getFileName() + ".replaced");
        Folders.deleteTree(old);
        move(target, old);
        move(temporary, target);
        Folders.deleteTree(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically", e);
        }
    }

    private static void syncTree(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.force(true);
                    }
                }
            }
        }
        sync(folder);
    }

    /** Flushes a folder's entries (the renames) to disk; not every file system allows it, which is fine. */
    private static void sync(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Directories can't be opened for sync on some platforms; the rename is still atomic.
        }
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        String message = cause.getMessage();
        return message == null
                ? cause.getClass().getSimpleName()
                : message.lines().findFirst().orElse(message);
    }
}
