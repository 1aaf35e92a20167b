package dev.easel.engine.dreambooth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.Reference;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.LoadOptions;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.shapes.ShapesDataset;
import dev.easel.engine.train.TrainingLog;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DreamBooth runs on the real tiny reference model (random weights: fast; nothing is learned, everything runs). */
class DreamBoothTrainerTest {

    @TempDir
    Path folder;

    private Path instances() throws Exception {
        Path dir = Files.createDirectories(folder.resolve("instances"));
        ShapesDataset shapes = new ShapesDataset(9, 64);
        for (int i = 0; i < 3; i++) {
            ImageIO.write(shapes.image(shapes.scene(i)), "png", dir.resolve("subject-" + i + ".png").toFile());
        }
        return dir;
    }

    private DreamBoothSettings.Builder settings(Path out) throws Exception {
        return DreamBoothSettings.builder(instances(), "a photo of sks shape")
                .priorPreservation("a photo of a shape", folder.resolve("class"), 2, 1.0)
                .trainTextEncoder(true).learningRate(1e-4).maxTrainSteps(3).randomFlip(true)
                .validation("a photo of sks shape", 2).checkpoints(2, 2).outputDir(out);
    }

    @Test
    void aShortRunWritesAModelClassImagesCheckpointsAndValidationImages() throws Exception {
        List<Long> validatedAt = new ArrayList<>();
        AtomicLong classImages = new AtomicLong();
        DreamBoothTrainer.Listener listener = new DreamBoothTrainer.Listener() {
            @Override
            public void onClassImages(int done, int total) {
                classImages.set(done);
            }

            @Override
            public void onValidation(long step, List<BufferedImage> images) {
                validatedAt.add(step);
                assertEquals(2, images.size());
            }
        };
        DreamBoothTrainer.Run run = new DreamBoothTrainer(Reference.model(), LoadOptions.cpu(),
                settings(folder.resolve("out")).build(), listener, null).train(null);
        try (StableDiffusionPipeline trained = run.pipeline()) {
            assertEquals(3, run.result().completedSteps());
            assertEquals(2, classImages.get());
            assertEquals(List.of(0L, 2L, 3L), validatedAt, "before training, every 2 steps, and at the end");
            assertEquals(List.of(2L, 3L), run.checkpoints().stream().map(c -> c.step()).toList());
            assertEquals(3, run.log().table("loss").rowCount());
            assertTrue(Files.isRegularFile(folder.resolve("out/checkpoints/loss.csv")));
            assertTrue(Files.isRegularFile(folder.resolve("out/checkpoints/loss.jsonl")));
            try (StableDiffusionPipeline reloaded = StableDiffusionPipeline.load(run.model(), LoadOptions.cpu())) {
                assertEquals(32, reloaded.txt2img(GenerationSettings.builder().prompt("a photo of sks shape")
                        .steps(2).size(32, 32).seed(1).build()).images().get(0).getWidth());
            }
        }
        // Class images are cached: a second run generates none.
        classImages.set(0);
        new DreamBoothTrainer(Reference.model(), LoadOptions.cpu(), settings(folder.resolve("again"))
                .maxTrainSteps(1).validation(null, 0).build(), listener, null).train(null).pipeline().close();
        assertEquals(0, classImages.get());
    }

    @Test
    void anInterruptedRunResumesWithTheSameLosses() throws Exception {
        List<String> straight = losses(new DreamBoothTrainer(Reference.model(), LoadOptions.cpu(),
                settings(folder.resolve("straight")).validation(null, 0).maxTrainSteps(4).build(), null, null)
                .train(null));
        AtomicLong done = new AtomicLong();
        DreamBoothTrainer.Listener counter = new DreamBoothTrainer.Listener() {
            @Override
            public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                done.set(row.step());
            }
        };
        DreamBoothSettings resumable = settings(folder.resolve("resumed")).validation(null, 0).maxTrainSteps(4)
                .build();
        DreamBoothTrainer.Run first = new DreamBoothTrainer(Reference.model(), LoadOptions.cpu(), resumable, counter,
                () -> done.get() >= 1).train(null);
        first.pipeline().close();
        assertTrue(first.result().interrupted());
        DreamBoothTrainer.Run second = new DreamBoothTrainer(Reference.model(), LoadOptions.cpu(), resumable, null,
                null).train(folder.resolve("resumed/checkpoints"));
        assertEquals(straight, losses(second));
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path empty = Files.createDirectories(folder.resolve("empty"));
        var e = assertThrows(IllegalArgumentException.class, () -> new DreamBoothTrainer(Reference.model(),
                LoadOptions.cpu(), DreamBoothSettings.builder(empty, "a photo of sks dog").build(), null, null)
                .train(null));
        assertTrue(e.getMessage().startsWith("no images in "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DreamBoothSettings.builder(empty, " ").build());
        assertEquals("no instance prompt; give one such as \"a photo of sks dog\"", e.getMessage());
        Path notACheckpoint = Files.createDirectories(folder.resolve("not-a-checkpoint"));
        e = assertThrows(IllegalArgumentException.class, () -> new DreamBoothTrainer(Reference.model(),
                LoadOptions.cpu(), settings(folder.resolve("x")).validation(null, 0).build(), null, null)
                .train(notACheckpoint));
        assertTrue(e.getMessage().contains("is not a checkpoint"), e.getMessage());
    }

    private static List<String> losses(DreamBoothTrainer.Run run) {
        run.pipeline().close();
        return run.log().rows().stream().map(r -> Double.toString(r.loss())).toList();
    }
}
