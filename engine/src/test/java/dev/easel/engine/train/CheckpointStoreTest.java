package dev.easel.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.BadValueException;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    @TempDir
    Path run;

    @Test
    void keepsTheNewestCheckpointsWithTheirManifests() throws IOException {
        CheckpointStore store = new CheckpointStore(run, 2);
        for (long step = 10; step <= 40; step += 10) {
            long s = step;
            store.save(step, Map.of("model", "tiny"), dir -> Files.writeString(dir.resolve("weights.bin"), "w" + s));
        }
        List<CheckpointStore.Checkpoint> all = store.list();
        assertEquals(
                List.of(30L, 40L),
                all.stream().map(CheckpointStore.Checkpoint::step).toList());
        assertEquals(
                "w40", Files.readString(store.latest().orElseThrow().folder().resolve("weights.bin")));
        assertEquals(
                "tiny",
                CheckpointStore.open(run.resolve("checkpoint-30")).manifest().get("model"));
        assertEquals(40L, CheckpointStore.open(run).step(), "a run folder opens as its latest checkpoint");
        assertEquals(List.of("checkpoint-30", "checkpoint-40"), names(run), "nothing else left behind");
    }

    @Test
    void aTrainingsOutputFolderResumesFromItsLatestCheckpoint() throws IOException {
        Path output = run.resolve("dog-run"); // --output dog-run: checkpoints in dog-run/checkpoints
        CheckpointStore store = new CheckpointStore(output.resolve(CheckpointStore.RUN_FOLDER), 3);
        store.save(5, Map.of(), dir -> {});
        store.save(10, Map.of(), dir -> {});
        assertEquals(10L, CheckpointStore.openToResume(output).step());
        assertThrows(EngineException.class, () -> CheckpointStore.open(output), "only to resume");
    }

    @Test
    void aFailedWriteLeavesEarlierCheckpointsIntactAndSaysSoInOneLine() throws IOException {
        CheckpointStore store = new CheckpointStore(run, 3);
        store.save(5, Map.of(), dir -> Files.writeString(dir.resolve("weights.bin"), "good"));
        UncheckedIOException e = assertThrows(
                UncheckedIOException.class,
                () -> store.save(6, Map.of(), dir -> {
                    Files.writeString(dir.resolve("weights.bin"), "half");
                    throw new IOException("No space left on device");
                }));
        assertEquals(
                "could not write checkpoint-6 in " + run + ": No space left on device; checkpoint-5 is intact",
                e.getCause().getMessage());
        assertEquals(List.of("checkpoint-5"), names(run));
        assertEquals("good", Files.readString(run.resolve("checkpoint-5/weights.bin")));
    }

    @Test
    void savingTheSameStepAgainReplacesIt() throws IOException {
        CheckpointStore store = new CheckpointStore(run, 3);
        store.save(7, Map.of(), dir -> Files.writeString(dir.resolve("f"), "first"));
        store.save(7, Map.of(), dir -> Files.writeString(dir.resolve("f"), "second"));
        assertEquals("second", Files.readString(run.resolve("checkpoint-7/f")));
        assertEquals(List.of("checkpoint-7"), names(run));
    }

    @Test
    void aNewRunIsRefusedWhereAnEarlierRunLeftCheckpoints() throws IOException {
        CheckpointStore store = new CheckpointStore(run, 3);
        store.requireNoEarlierRun();
        store.save(30, Map.of(), dir -> Files.writeString(dir.resolve("f"), "earlier"));
        var e = assertThrows(BadValueException.class, store::requireNoEarlierRun);
        assertEquals(
                run + " already holds checkpoint-30 of an earlier run; resume from it, or choose another output"
                        + " folder",
                e.getMessage());
    }

    @Test
    void foldersThatAreNotCheckpointsAreRefusedInOneLine() throws IOException {
        Path empty = Files.createDirectory(run.resolve("empty"));
        EngineException e = assertThrows(BadValueException.class, () -> CheckpointStore.open(empty));
        assertTrue(
                e.getMessage()
                        .endsWith("is not a checkpoint (no manifest.json) and holds none; "
                                + "pass a checkpoint-N folder of a run"),
                e.getMessage());
        Files.writeString(empty.resolve("manifest.json"), "{not json");
        e = assertThrows(EngineException.class, () -> CheckpointStore.open(empty));
        assertTrue(e.getMessage().contains("is not readable JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void killNineDuringAWriteLeavesThePreviousCheckpointLoadable() throws Exception {
        new CheckpointStore(run, 3).save(1, Map.of(), dir -> Files.writeString(dir.resolve("f"), "one"));
        Process writer = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        SlowWriter.class.getName(),
                        run.toString())
                .redirectErrorStream(true)
                .start();
        // Wait until the writer is inside the write, then kill it without any chance to clean up.
        Path started = run.resolve("started");
        for (int i = 0; i < 200 && !Files.exists(started); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(started), "writer reached the middle of its write");
        writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        CheckpointStore store = new CheckpointStore(run, 3);
        assertEquals(1L, store.latest().orElseThrow().step());
        assertEquals(
                "one", Files.readString(store.latest().orElseThrow().folder().resolve("f")));
        store.save(2, Map.of(), dir -> Files.writeString(dir.resolve("f"), "two"));
        assertEquals(
                List.of(1L, 2L),
                store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
        assertEquals(List.of("checkpoint-1", "checkpoint-2"), names(run), "the killed writer's partial folder is gone");
    }

    /** Starts a checkpoint write and hangs in the middle of it, to be killed. */
    public static final class SlowWriter {
        public static void main(String[] args) {
            Path run = Path.of(args[0]);
            new CheckpointStore(run, 3).save(2, Map.of(), dir -> {
                Files.writeString(dir.resolve("f"), "half-written");
                Files.writeString(run.resolve("started"), "");
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("started"))
                    .sorted()
                    .toList();
        }
    }
}
