package dev.easel.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step whose backward pass is not finite must not touch the weights (or the checkpoints written after it). */
class NonFiniteStepsTest {

    @TempDir
    Path folder;

    /** Loss (w − 3)², except that the listed steps multiply it by NaN. */
    private static final class Quadratic implements TrainingObjective {
        final NDArray w;
        final Set<Long> poisoned;
        /** Steps whose backward pass gives an infinite gradient for a finite loss, the first time or every time. */
        final Set<Long> glitchOnce;

        final Set<Long> glitchAlways;
        final Set<Long> glitched = new java.util.HashSet<>();

        Quadratic(NDManager manager, Set<Long> poisoned) {
            this(manager, poisoned, Set.of(), Set.of());
        }

        Quadratic(NDManager manager, Set<Long> poisoned, Set<Long> glitchOnce, Set<Long> glitchAlways) {
            this.w = manager.create(new float[] {0f});
            this.poisoned = poisoned;
            this.glitchOnce = glitchOnce;
            this.glitchAlways = glitchAlways;
        }

        @Override
        public Map<String, NDArray> trainableParameters() {
            return Map.of("w", w);
        }

        @Override
        public NDArray loss(NDManager scope, long step, int micro) {
            NDArray loss = w.sub(3f).square().sum();
            if (glitchAlways.contains(step) || (glitchOnce.contains(step) && glitched.add(step))) {
                // sqrt(w - w) is 0, its derivative 1 / (2 sqrt(0)) infinite: a finite loss, an infinite gradient
                return loss.add(w.sub(w.stopGradient()).sqrt().sum());
            }
            return poisoned.contains(step) ? loss.mul(Float.NaN) : loss;
        }

        @Override
        public Map<String, Object> identity() {
            return Map.of("model", "quadratic");
        }
    }

    private TrainingSettings settings(Path run, int steps) {
        return new TrainingSettings(
                steps,
                0.1,
                new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0, steps),
                1,
                1.0,
                AdamW.Settings.DEFAULT,
                1,
                100,
                2,
                run);
    }

    @Test
    void aNonFiniteStepIsSkippedAndTrainingGoesOn() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Quadratic clean = new Quadratic(manager, Set.of());
            new TrainingLoop(settings(folder.resolve("clean"), 5), null, null).run(clean, null);
            Quadratic poisoned = new Quadratic(manager, Set.of(2L));
            TrainingResult result =
                    new TrainingLoop(settings(folder.resolve("poisoned"), 6), null, null).run(poisoned, null);
            assertEquals(1, result.skippedSteps());
            assertTrue(result.summary().endsWith(", 1 steps skipped (non-finite gradients)"), result.summary());
            // Five real updates either way: the skipped step changed nothing, and the weights stayed finite.
            assertEquals(clean.w.getFloat(0), poisoned.w.getFloat(0), 0f);
        }
    }

    @Test
    void aTransientlyNonFiniteBackwardPassIsComputedAgainAndTheRunIsUnchanged() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Quadratic clean = new Quadratic(manager, Set.of());
            List<Double> cleanLosses = new ArrayList<>();
            new TrainingLoop(settings(folder.resolve("clean"), 5), lossesInto(cleanLosses), null).run(clean, null);
            Quadratic glitchy = new Quadratic(manager, Set.of(), Set.of(1L, 3L), Set.of());
            List<Double> glitchyLosses = new ArrayList<>();
            // the engine logs through System.Logger (java.util.logging by default); the CLI and kernel show it
            List<String> retries = new ArrayList<>();
            java.util.logging.Logger log = java.util.logging.Logger.getLogger(TrainingLoop.class.getName());
            java.util.logging.Handler handler = new java.util.logging.Handler() {
                @Override
                public void publish(java.util.logging.LogRecord record) {
                    if (record.getMessage().startsWith("step")) {
                        retries.add(record.getLevel() + " " + record.getMessage());
                    }
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
            TrainingResult result;
            log.addHandler(handler);
            try {
                result = new TrainingLoop(settings(folder.resolve("glitchy"), 5), lossesInto(glitchyLosses), null)
                        .run(glitchy, null);
            } finally {
                log.removeHandler(handler);
            }
            assertEquals(2, retries.size(), retries.toString());
            assertTrue(
                    retries.get(0)
                            .matches("WARNING step 2: non-finite gradients for a finite loss \\(1 of 1"
                                    + " tensors, w 1: w Infinity\\); computed again: gradient norm [0-9.]+"),
                    retries.get(0));
            assertTrue(retries.get(1).startsWith("WARNING step 4: "), retries.get(1));
            assertEquals(0, result.skippedSteps());
            assertEquals(cleanLosses, glitchyLosses, "the same losses as the run without the glitches");
            assertEquals(clean.w.getFloat(0), glitchy.w.getFloat(0), 0f);

            Quadratic broken = new Quadratic(manager, Set.of(), Set.of(), Set.of(2L));
            assertEquals(
                    1,
                    new TrainingLoop(settings(folder.resolve("broken"), 6), null, null)
                            .run(broken, null)
                            .skippedSteps(),
                    "a backward pass that is non-finite every time is still skipped");
        }
    }

    private static TrainingListener lossesInto(List<Double> losses) {
        return new TrainingListener() {
            @Override
            public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                losses.add(row.loss());
            }
        };
    }

    @Test
    void tenNonFiniteStepsInARowStopTheRunInOneLine() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Quadratic broken = new Quadratic(manager, Set.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L));
            TrainingSettings settings = new TrainingSettings(
                    20,
                    0.1,
                    new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0, 20),
                    1,
                    1.0,
                    AdamW.Settings.DEFAULT,
                    1,
                    2,
                    3,
                    folder.resolve("broken"));
            var e = assertThrows(EngineException.class, () -> new TrainingLoop(settings, null, null).run(broken, null));
            assertEquals(
                    "training diverged: the last 10 steps (to step 13) had a non-finite loss or gradient and"
                            + " changed nothing; lower the learning rate, or resume from "
                            + folder.resolve("broken").resolve("checkpoint-12"),
                    e.getMessage());
        }
    }
}
