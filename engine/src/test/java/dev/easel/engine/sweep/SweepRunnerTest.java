package dev.easel.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.Png;
import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.torch.Randomness;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Sweeps on the real tiny reference model (32×32 images, random weights: fast, and deterministic). */
class SweepRunnerTest {

    private static LoadingSweepModels models;
    private static String model;

    @TempDir
    Path out;

    @BeforeAll
    static void load() {
        models = new LoadingSweepModels(LoadOptions.cpu());
        model = DefaultModel.path().toString();
    }

    @AfterAll
    static void close() {
        models.close();
    }

    private static GenerationSettings base() {
        return GenerationSettings.builder()
                .prompt("a red circle on a blue background")
                .steps(2)
                .guidanceScale(7.5)
                .sampler("euler")
                .seed(5)
                .size(32, 32)
                .build();
    }

    @Test
    void threeAxesGiveAGridATableAndImagesWithTheirParameters() throws Exception {
        SweepSpec spec = SweepSpec.of(
                base(), model, Axis.parse("steps:1,2"), Axis.parse("cfg:1,7.5"), Axis.parse("sampler:euler,ddim"), out);
        SweepResult result = new SweepRunner(models, null, null).run(spec);
        assertEquals(8, result.made());
        Table table = result.table();
        assertEquals(8, table.rowCount());
        assertEquals(List.of(1, 2, 1, 2, 1, 2, 1, 2), table.intColumn("steps").asList());
        assertEquals(4, table.stringColumn("sampler").isEqualTo("ddim").size());
        String first = table.stringColumn("image").get(0);
        assertTrue(Png.readText(Path.of(first)).get("parameters").contains("Steps: 1, Sampler: Euler, CFG scale: 1"));
        assertTrue(Files.isRegularFile(result.gridFile()));
        assertTrue(result.grid().getWidth() > 2 * 2 * 32, "two sub-grids of two columns plus labels");
        assertTrue(table.doubleColumn("seconds").min() > 0);
    }

    @Test
    void batchedSeedsGiveTheImagesOfSingleGenerations() {
        SweepResult result = new SweepRunner(models, null, null)
                .run(SweepSpec.of(base(), model, Axis.parse("seed:5,6,7"), null, null, out));
        BufferedImage batched =
                Png.read(Path.of(result.table().stringColumn("image").get(2)));
        BufferedImage single = models.pipeline(model)
                .txt2img(base().toBuilder().seed(7).build())
                .images()
                .get(0);
        int[] a = batched.getRGB(0, 0, 32, 32, null, 0, 32);
        int[] b = single.getRGB(0, 0, 32, 32, null, 0, 32);
        int differing = 0;
        for (int i = 0; i < a.length; i++) {
            differing += a[i] == b[i] ? 0 : 1;
        }
        // Batched float math may round a pixel differently; the image must be the seed's image.
        assertTrue(differing <= a.length / 100, differing + " of " + a.length + " pixels differ");
    }

    @Test
    void aFailingCellIsMarkedAndTheSweepGoesOn() {
        // The reference text encoder has 3 layers: clip skip 9 fails when the cell runs, not before.
        SweepResult result = new SweepRunner(models, null, null)
                .run(SweepSpec.of(base(), model, Axis.parse("clip_skip:1,9,2"), null, null, out));
        assertEquals(2, result.made());
        assertEquals(1, result.failed());
        assertTrue(
                result.table().stringColumn("error").get(1).contains("clip skip"),
                result.table().print());
        assertEquals("", result.table().stringColumn("image").get(1));
    }

    @Test
    void anInterruptStopsCleanlyWithThePartialGrid() {
        AtomicInteger progress = new AtomicInteger();
        SweepListener counter = new SweepListener() {
            @Override
            public void onProgress(int done, int total, double etaSeconds) {
                progress.set(done);
            }
        };
        SweepResult result = new SweepRunner(models, counter, () -> progress.get() >= 1)
                .run(SweepSpec.of(
                        base().toBuilder().sampler("euler_a").build(), model, Axis.parse("seed:1-4"), null, null, out));
        assertTrue(result.interrupted());
        assertEquals(1, result.made());
        assertEquals(1, result.table().rowCount());
        assertTrue(Files.isRegularFile(result.gridFile()));
    }

    @Test
    void badSweepsFailBeforeAnyImageWithOneLine() {
        assertMessage(
                "the steps axis is used twice (X and Z); use each axis once",
                SweepSpec.of(base(), model, Axis.parse("steps:1,2"), null, Axis.parse("steps:3"), out));
        assertMessage(
                "prompt_sr axis: 'square' is not in the prompt or the negative prompt",
                SweepSpec.of(base(), model, Axis.parse("prompt_sr:square,triangle"), null, null, out));
        assertMessage(
                "model '/nowhere/model'",
                SweepSpec.of(base(), model, Axis.parse("model:/nowhere/model"), null, null, out));
        assertMessage("sampler axis:", SweepSpec.of(base(), model, Axis.parse("sampler:euler,eulr"), null, null, out));
        assertMessage(
                "over the 0 MP limit",
                new SweepSpec(
                        base(),
                        model,
                        Axis.parse("steps:1,2"),
                        null,
                        null,
                        out,
                        new GridImage.Options(0, false, 0.0001),
                        null,
                        0,
                        null));
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "nothing was made");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void promptSearchReplaceAndRandomSeedsApplyToEveryCell() {
        SweepPlan plan = SweepPlan.of(
                SweepSpec.of(
                        base().toBuilder().seed(-1).build(),
                        model,
                        Axis.parse("prompt_sr:circle,square,triangle"),
                        Axis.parse("seed:-1,3"),
                        null,
                        out),
                models);
        List<SweepCell> cells = plan.cells();
        assertEquals(
                "a red triangle on a blue background",
                cells.get(2).settings().prompts().get(0));
        long randomSeed = cells.get(0).settings().seed();
        assertEquals(randomSeed, cells.get(1).settings().seed(), "-1 is one seed for the whole sweep");
        assertEquals(3L, cells.get(3).settings().seed());
    }

    @Test
    void loraWeightAxisWeighsTheSweepsLoraAndLeavesTheModelAsItWas() throws Exception {
        var pipeline = models.pipeline(model);
        Path file = out.resolve("test-lora.safetensors");
        var network = dev.easel.engine.lora.LoraNetwork.create(pipeline.unet(), null, 2, 2, pipeline.manager());
        network.parameters().forEach((name, array) -> {
            if (name.endsWith(".up.weight")) {
                array.set(array.getManager()
                        .randomNormal(0, 0.5f, array.getShape(), array.getDataType())
                        .toFloatArray());
            }
        });
        network.save(file);
        network.remove();
        BufferedImage plain = pipeline.txt2img(base()).images().get(0);

        SweepResult result = new SweepRunner(models, null, null)
                .run(new SweepSpec(
                        base(),
                        model,
                        Axis.parse("lora_weight:0,1"),
                        null,
                        null,
                        out.resolve("sweep"),
                        GridImage.Options.DEFAULT,
                        null,
                        0,
                        new dev.easel.engine.lora.LoraSpec(file, 1.0)));
        assertEquals(
                java.util.List.of(0.0, 1.0),
                result.table().doubleColumn("lora_weight").asList());
        BufferedImage atZero =
                Png.read(Path.of(result.table().stringColumn("image").get(0)));
        BufferedImage atOne =
                Png.read(Path.of(result.table().stringColumn("image").get(1)));
        assertArrayEquals(pixels(plain), pixels(atZero), "weight 0 is the plain model");
        assertTrue(!java.util.Arrays.equals(pixels(plain), pixels(atOne)), "weight 1 changes the image");
        assertArrayEquals(
                pixels(plain), pixels(pipeline.txt2img(base()).images().get(0)), "LoRA taken off after");
        // Each cell's PNG names the LoRA at the cell's weight (issue 18: sweep images lost it), as A1111 does: a tag
        // in the prompt and its short hash.
        String parameters = Png.readText(
                        Path.of(result.table().stringColumn("image").get(1)))
                .get("parameters");
        assertTrue(parameters.contains(" <lora:test-lora:1>\n"), parameters);
        assertTrue(
                parameters.contains(
                        ", Lora hashes: \"test-lora: " + dev.easel.engine.pipeline.ModelHash.loraHash(file) + "\""),
                parameters);
        String grid = Png.readText(result.gridFile()).get("parameters");
        assertTrue(grid.contains(", Script: X/Y/Z plot, X Type: LoRA weight, X Values: \"0, 1\""), grid);
        assertEquals(
                "LoRA weight",
                dev.easel.engine.pipeline.GenerationParameters.parse(grid)
                        .extra()
                        .get("X Type"));
        assertMessage(
                "the lora_weight axis needs a LoRA to weigh",
                SweepSpec.of(base(), model, Axis.parse("lora_weight:0,1"), null, null, out));
    }

    @Test
    void vaeAxisDecodesWithEachVaeAndPutsTheModelsOwnBack() throws Exception {
        var pipeline = models.pipeline(model);
        Path vae = out.resolve("brighter.safetensors");
        java.util.Map<String, ai.djl.ndarray.NDArray> weights =
                new java.util.LinkedHashMap<>(pipeline.vae().parameters());
        weights.put(
                "decoder.conv_out.bias", weights.get("decoder.conv_out.bias").add(0.5));
        dev.easel.engine.weights.SafeTensors.write(weights, java.util.Map.of(), vae);
        BufferedImage plain = pipeline.txt2img(base()).images().get(0);

        Path broken = Files.writeString(out.resolve("broken.safetensors"), "not a VAE");
        SweepResult result = new SweepRunner(models, null, null)
                .run(SweepSpec.of(
                        base(), model, Axis.parse("vae:none," + vae + "," + broken), null, null, out.resolve("sweep")));
        assertEquals(2, result.made());
        assertEquals(1, result.failed());
        assertEquals(
                List.of("", "brighter.safetensors", "broken.safetensors"),
                result.table().stringColumn("vae").asList(),
                "the VAE of each cell, the one that failed too");
        assertTrue(
                result.table().stringColumn("error").get(2).contains("broken.safetensors"),
                result.table().stringColumn("error").get(2));
        BufferedImage own =
                Png.read(Path.of(result.table().stringColumn("image").get(0)));
        String other = result.table().stringColumn("image").get(1);
        assertArrayEquals(pixels(plain), pixels(own), "none: the model's own VAE");
        assertTrue(!java.util.Arrays.equals(pixels(plain), pixels(Png.read(Path.of(other)))), "the other VAE");
        assertTrue(Png.readText(Path.of(other)).get("parameters").contains(", VAE: brighter.safetensors"));
        assertEquals(null, pipeline.vaePath(), "the model's own VAE is back");
        assertMessage(
                "vae axis: 'nothing.safetensors' does not exist",
                SweepSpec.of(base(), model, Axis.parse("vae:nothing.safetensors"), null, null, out));
    }

    @Test
    void aSweepWaitsForTheGeneratorWhileAnotherThreadHoldsIt() throws Exception {
        models.pipeline(model); // loaded before the race starts
        BufferedImage alone = Png.read(Path.of(new SweepRunner(models, null, null)
                .run(SweepSpec.of(base(), model, Axis.parse("seed:5,6"), null, null, out.resolve("alone")))
                .table()
                .stringColumn("image")
                .get(1)));
        float expected;
        try (NDManager m = NDManager.newBaseManager();
                Randomness.Held held = Randomness.seeded(999)) {
            expected = m.randomNormal(new Shape(1)).getFloat(0);
        }
        // Another thread seeds, then draws only after a pause in which the sweep (a batch of two seeds, whose noise
        // the runner draws itself) has started: the sweep must wait for the generator, neither seeding nor drawing.
        CountDownLatch seeded = new CountDownLatch(1);
        float[] drawn = new float[1];
        Thread other = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager();
                    Randomness.Held held = Randomness.seeded(999)) {
                seeded.countDown();
                Thread.sleep(2000);
                drawn[0] = m.randomNormal(new Shape(1)).getFloat(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        seeded.await();
        SweepResult contended = new SweepRunner(models, null, null)
                .run(SweepSpec.of(base(), model, Axis.parse("seed:5,6"), null, null, out.resolve("contended")));
        other.join();
        assertEquals(expected, drawn[0], 0f, "the sweep seeded or drew while another thread held the generator");
        assertArrayEquals(
                pixels(alone),
                pixels(Png.read(Path.of(contended.table().stringColumn("image").get(1)))),
                "the other thread's draws changed the sweep's noise");
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private void assertMessage(String expected, SweepSpec spec) {
        var e = assertThrows(EngineException.class, () -> new SweepRunner(models, null, null).run(spec));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void tilesUseTheirSeeds() {
        assertArrayEquals(
                new long[] {1, 2},
                SweepPlan.of(SweepSpec.of(base(), model, Axis.seed(1, 2), null, null, out), models).cells().stream()
                        .mapToLong(c -> c.settings().seed())
                        .toArray());
    }
}
