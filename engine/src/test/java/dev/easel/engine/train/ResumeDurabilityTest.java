package dev.easel.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a full disk, a kill -9 or a changed command line leave for {@code --resume} (issue 19's probe). */
class ResumeDurabilityTest {

    @TempDir
    Path folder;

    /** Loss (w − 2)² with a noise term drawn from the step's generator, so the seed matters. */
    private static TrainingObjective objective(NDManager manager) {
        NDArray w = manager.create(new float[] {0f});
        return new TrainingObjective() {
            @Override
            public Map<String, NDArray> trainableParameters() {
                return Map.of("w", w);
            }

            @Override
            public NDArray loss(NDManager scope, long step, int micro) {
                NDArray target = scope.randomNormal(w.getShape()).add(2f);
                return w.sub(target).square().sum();
            }

            @Override
            public Map<String, Object> identity() {
                return Map.of("model", "noisy quadratic");
            }
        };
    }

    private static TrainingSettings settings(Path run, int steps, long seed, double lr) {
        return new TrainingSettings(
                steps,
                lr,
                new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0, steps),
                1,
                1.0,
                AdamW.Settings.DEFAULT,
                seed,
                2,
                2,
                run);
    }

    private static List<String> losses(Path run) throws IOException {
        return Files.readAllLines(run.resolve("loss.csv")).stream()
                .skip(1)
                .map(l -> l.split(",")[0] + "," + l.split(",")[1])
                .toList();
    }

    @Test
    void aPartialLastLineLeftByAFullDiskIsDroppedOnResume() throws IOException {
        Path whole = folder.resolve("whole");
        Path cut = folder.resolve("cut");
        try (NDManager m = NDManager.newBaseManager()) {
            new TrainingLoop(settings(whole, 6, 1, 0.1), null, null).run(objective(m), null);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            new TrainingLoop(settings(cut, 4, 1, 0.1), null, null).run(objective(m), null);
        }
        // the disk filled up while step 5's row was appended: a line without its end, that still parses
        Files.writeString(cut.resolve("loss.csv"), "5,0.12,0.1,0.", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Files.writeString(
                cut.resolve("loss.jsonl"), "{\"step\":5,\"lo", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingResult resumed = new TrainingLoop(settings(cut, 6, 1, 0.1), null, null).run(objective(m), cut);
            assertEquals(6, resumed.completedSteps());
        }
        assertEquals(losses(whole), losses(cut), "the resumed log reads as the uninterrupted run's");
        List<String> jsonl = Files.readAllLines(cut.resolve("loss.jsonl"));
        assertEquals(6, jsonl.size());
        assertTrue(jsonl.get(4).startsWith("{\"step\":5,\"loss\":"), jsonl.get(4));
    }

    @Test
    void aMalformedLineIsDroppedAndTheOthersKept() throws IOException {
        Path run = folder.resolve("run");
        Files.createDirectories(run);
        Files.writeString(
                run.resolve("loss.csv"),
                "step,loss,learning_rate,grad_norm,seconds\n1,0.5,0.1,1.0,0.2\n"
                        + "2,0.4\n3,0.3,0.1,1.0,0.2\n4,0.2,0.1,1.0,0.2\n");
        try (TrainingLog log = TrainingLog.open(run, "loss", 3)) {
            assertEquals(
                    List.of(1L, 3L),
                    log.rows().stream().map(TrainingLog.Row::step).toList());
        }
    }

    @Test
    void foldersLeftByAKilledSaveGoWhenARunStartsOrResumes() throws IOException, InterruptedException {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path run = folder.resolve("run");
        Path partial = run.resolve(".checkpoint-3.partial-" + gone.pid());
        Path deleting = run.resolve(".checkpoint-1.deleting");
        Path alive = run.resolve(".checkpoint-3.partial-"
                + ProcessHandle.current().parent().orElseThrow().pid());
        for (Path p : List.of(partial, deleting, alive)) {
            Files.createDirectories(p);
            Files.writeString(p.resolve("trainable.safetensors"), "half a file");
        }
        assertEquals(2, new CheckpointStore(run, 2).removeLeftovers());
        assertFalse(Files.exists(partial) || Files.exists(deleting));
        assertTrue(Files.exists(alive), "a writer that is still running keeps its folder");
        Files.createDirectories(partial);
        try (NDManager m = NDManager.newBaseManager()) {
            new TrainingLoop(settings(run, 1, 1, 0.1), null, null).run(objective(m), null);
        }
        assertFalse(Files.exists(partial), "removed at the start of a run");
        Files.createDirectories(deleting);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingLoop loop = new TrainingLoop(settings(run, 1, 1, 0.1), null, () -> true);
            loop.run(objective(m), run);
        }
        assertFalse(Files.exists(deleting), "removed on resume, even when no checkpoint is written");
    }

    @Test
    void resumingWithAnotherSeedOrLearningRateNamesTheDifferences() throws IOException {
        Path run = folder.resolve("run");
        try (NDManager m = NDManager.newBaseManager()) {
            new TrainingLoop(settings(run, 2, 1, 0.1), null, null).run(objective(m), null);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            EngineException e = assertThrows(
                    EngineException.class,
                    () -> new TrainingLoop(settings(run, 4, 7, 0.2), null, null).run(objective(m), run));
            assertTrue(
                    e.getMessage().contains("seed 1 → 7")
                            && e.getMessage().contains("learning_rate 0.1 → 0.2")
                            && e.getMessage().contains("--override"),
                    e.getMessage());
            assertEquals(2, new CheckpointStore(run, 2).latest().orElseThrow().step(), "nothing trained");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingResult changed =
                    new TrainingLoop(settings(run, 4, 7, 0.2), null, null, true).run(objective(m), run);
            assertEquals(4, changed.completedSteps());
        }
        assertEquals(
                7L,
                ((Number) new CheckpointStore(run, 2)
                                .latest()
                                .orElseThrow()
                                .manifest()
                                .get("seed"))
                        .longValue(),
                "later checkpoints record the settings they were trained with");
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(
                    6,
                    new TrainingLoop(settings(run, 6, 7, 0.2), null, null)
                            .run(objective(m), run)
                            .completedSteps(),
                    "the same settings resume without a word");
        }
        // Gradient checkpointing changes memory and time, not the numbers: turning it on is allowed and recorded.
        TrainingSettings same = settings(run, 8, 7, 0.2);
        TrainingSettings checkpointing = new TrainingSettings(
                same.maxSteps(),
                same.learningRate(),
                same.schedule(),
                same.gradientAccumulation(),
                same.maxGradNorm(),
                same.adam(),
                same.seed(),
                same.checkpointEvery(),
                same.keepCheckpoints(),
                run,
                false,
                true);
        assertEquals(
                false,
                new CheckpointStore(run, 2).latest().orElseThrow().manifest().get("gradient_checkpointing"));
        assertEquals(
                List.of(),
                ResumeCheck.differences(new CheckpointStore(run, 2).latest().orElseThrow(), checkpointing),
                "not a difference that refuses the resume");
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(
                    8,
                    new TrainingLoop(checkpointing, null, null)
                            .run(objective(m), run)
                            .completedSteps());
        }
        assertEquals(
                true,
                new CheckpointStore(run, 2).latest().orElseThrow().manifest().get("gradient_checkpointing"));
    }
}
