package dev.easel.engine.defaultmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.easel.engine.BadValueException;
import dev.easel.engine.io.Folders;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.nn.Init;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.shapes.ShapesDataset;
import dev.easel.engine.train.AdamW;
import dev.easel.engine.train.LearningRateSchedule;
import dev.easel.engine.train.TrainingListener;
import dev.easel.engine.train.TrainingLog;
import dev.easel.engine.train.TrainingLoop;
import dev.easel.engine.train.TrainingResult;
import dev.easel.engine.train.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultModelTrainingTest {

    private static final DefaultModelRecipe TINY = DefaultModelRecipe.tiny();

    @TempDir
    Path folder;

    @Test
    void anInterruptedRunResumesWithExactlyTheLossesOfAnUninterruptedOne() throws Exception {
        List<String> straight = lossColumn(train(folder.resolve("straight"), 4, -1, null));

        Path resumed = folder.resolve("resumed");
        TrainingResult first = train(resumed, 4, 2, null);
        assertTrue(first.interrupted());
        assertEquals(2, first.completedSteps());
        TrainingResult second = train(resumed, 4, -1, resumed);
        assertFalse(second.interrupted());
        assertEquals(4, second.completedSteps());

        assertEquals(straight, lossColumn(second), "same losses, step for step, as the run that never stopped");

        TrainingResult third = train(resumed, 4, -1, resumed); // resumed at its end: nothing to do
        assertEquals(4, third.completedSteps());
        assertEquals(0, third.sessionSteps());
        assertEquals(
                "already finished at step 4 (nothing left to train), checkpoint "
                        + second.lastCheckpoint().folder(),
                third.summary(),
                "not 'loss NaN, 0.00 steps/s'");
    }

    @Test
    void resumingFromAnotherModelsCheckpointIsRefused() {
        train(folder.resolve("a"), 1, -1, null);
        var e = assertThrows(BadValueException.class, () -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                AutoencoderKL other = new AutoencoderKL(Init.random(manager), TINY.vae());
                new TrainingLoop(settings(folder.resolve("b"), 2), null, null)
                        .run(
                                new AutoencoderObjective(
                                        other, new ShapesDataset(1, 64), 2, 1, 1e-4, Map.of("model", "something else")),
                                folder.resolve("a"));
            }
        });
        assertTrue(e.getMessage().contains("belongs to another model or run"), e.getMessage());
    }

    @Test
    void trainBaseWritesAModelEaselLoadsAndDrawsWith() {
        DefaultModelTrainer trainer = new DefaultModelTrainer(TINY, folder, TrainingListener.NONE, () -> false);
        Path model = trainer.train("test");
        assertTrue(Files.isRegularFile(model.resolve("easel_training.json")));
        assertEquals(2, trainer.report().size());
        try (StableDiffusionPipeline pipeline = ModelLoader.load(model)) {
            GenerationResult result = pipeline.txt2img(GenerationSettings.builder()
                    .prompts(List.of("a red circle on a blue background"))
                    .steps(2)
                    .width(64)
                    .height(64)
                    .seed(3)
                    .build());
            assertEquals(64, result.images().get(0).getWidth());
        }
        // Running again on the finished folder resumes every stage at its end: nothing retrains. A recipe made
        // afresh (as by a new process) is recognised as the same run.
        assertEquals(
                model,
                new DefaultModelTrainer(
                                DefaultModelRecipe.tiny(),
                                folder,
                                new TrainingListener() {
                                    @Override
                                    public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                                        throw new AssertionError("stage retrained at step " + row.step());
                                    }
                                },
                                () -> false)
                        .train("test"));
    }

    @Test
    void aLongerDenoiserBudgetKeepsTheFinishedAutoencoder() throws Exception {
        new DefaultModelTrainer(TINY, folder, TrainingListener.NONE, () -> false).train("test");
        Folders.deleteTree(folder.resolve("denoiser"));
        List<String> starts = new ArrayList<>();
        DefaultModelRecipe longer = TINY.withBudget(TINY.seed(), TINY.vaeSteps(), TINY.denoiserSteps() + 2);
        new DefaultModelTrainer(
                        longer,
                        folder,
                        new TrainingListener() {
                            @Override
                            public void onStart(String name, long startStep, long totalSteps) {
                                starts.add(name + " " + startStep + "/" + totalSteps);
                            }
                        },
                        () -> false)
                .train("test");
        assertEquals(
                List.of(
                        "autoencoder " + TINY.vaeSteps() + "/" + TINY.vaeSteps(),
                        "denoiser 0/" + longer.denoiserSteps()),
                starts.stream().filter(s -> !s.startsWith("latents")).toList(),
                "the autoencoder resumes at its end; only the denoiser trains");
    }

    @Test
    void theSameRecipeMakesTheSameModelWhateverRandomNumbersWereDrawnBefore() throws Exception {
        Path first = new DefaultModelTrainer(TINY, folder.resolve("first"), TrainingListener.NONE, () -> false)
                .train("test");
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.randomNormal(new ai.djl.ndarray.types.Shape(1000)); // what a notebook did before, say
        }
        Path second = new DefaultModelTrainer(TINY, folder.resolve("second"), TrainingListener.NONE, () -> false)
                .train("test");
        for (String weights : List.of(
                "unet/diffusion_pytorch_model.safetensors",
                "vae/diffusion_pytorch_model.safetensors",
                "text_encoder/model.safetensors")) {
            assertEquals(-1L, Files.mismatch(first.resolve(weights), second.resolve(weights)), weights);
        }
    }

    /** Trains the tiny autoencoder for {@code steps}, stopping after {@code stopAfter} steps if ≥ 0. */
    private static TrainingResult train(Path run, int steps, int stopAfter, Path resumeFrom) {
        AtomicLong done = new AtomicLong();
        TrainingListener counter = new TrainingListener() {
            @Override
            public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                done.set(row.step());
            }
        };
        try (NDManager manager = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(11); // the same initial weights for every run
            AutoencoderKL vae = new AutoencoderKL(Init.random(manager), TINY.vae());
            return new TrainingLoop(settings(run, steps), counter, () -> stopAfter >= 0 && done.get() >= stopAfter)
                    .run(
                            new AutoencoderObjective(
                                    vae, new ShapesDataset(1, 64), 2, 1, 1e-4, Map.of("model", "tiny")),
                            resumeFrom);
        }
    }

    private static TrainingSettings settings(Path run, int steps) {
        return new TrainingSettings(
                steps,
                1e-3,
                new LearningRateSchedule(LearningRateSchedule.Kind.LINEAR, 1, steps),
                1,
                1.0,
                AdamW.Settings.DEFAULT,
                5,
                3,
                2,
                run);
    }

    private static List<String> lossColumn(TrainingResult result) throws Exception {
        Path csv = result.lastCheckpoint().folder().getParent().resolve("loss.csv");
        return Files.readAllLines(csv).stream()
                .skip(1)
                .map(line -> line.split(",")[1])
                .toList();
    }
}
