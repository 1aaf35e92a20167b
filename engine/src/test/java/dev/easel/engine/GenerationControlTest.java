package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.HiresFix;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Seeds, progress, cancellation, batches, non-square sizes, img2img and VAE tiling. */
class GenerationControlTest {

    static StableDiffusionPipeline pipe;

    @BeforeAll
    static void load() {
        pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    static GenerationSettings.Builder base() {
        return GenerationSettings.builder()
                .prompt("a photograph of an astronaut riding a horse")
                .steps(5)
                .guidanceScale(7.5)
                .sampler("ddim")
                .seed(42)
                .size(32, 32);
    }

    @Test
    void seedGivesTorchsNoise() {
        // torch.manual_seed(42); torch.randn(1, 4, 16, 16) starts 1.9269153, 1.4872841, 0.9007172
        float[][] first = new float[1][];
        pipe.txt2img(
                base().build(),
                step -> {
                    if (step.index() == 0) {
                        first[0] = step.modelInput().toFloatArray();
                    }
                },
                null);
        assertEquals(1.9269153f, first[0][0], 1e-6);
        assertEquals(1.4872841f, first[0][1], 1e-6);
        assertEquals(0.9007172f, first[0][2], 1e-6);
        // CFG batch [uncond, cond] gets the same latents twice
        assertEquals(first[0][0], first[0][4 * 16 * 16], 0f);
    }

    @Test
    void aPlainPromptLongerThanClipReadsIsWarnedAboutOnce() {
        String prompt = "a photograph of an astronaut riding a horse on the moon, ".repeat(8) + "LAST WORDS";
        EngineLog.showOnStandardError(); // as the command line and the notebook do: the engine only logs
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            pipe.txt2img(base().prompt(prompt).steps(1).build()); // A1111's reading: chunks, nothing cut
            pipe.txt2img(base().prompt(prompt).steps(1).plainPrompt(true).build());
            pipe.txt2img(
                    base().prompt(prompt).steps(1).seed(7).plainPrompt(true).build());
        } finally {
            System.setErr(stderr);
        }
        String warning = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, warning.lines().filter(l -> l.contains("cut off")).count(), warning);
        assertTrue(
                warning.contains("easel: the text encoder reads 75 tokens") && warning.contains("last words\""),
                warning);
    }

    @Test
    void sameSeedSameImageDifferentSeedDifferent() {
        for (String sampler : new String[] {"euler_a", "ddim"}) {
            GenerationSettings s = base().sampler(sampler).eta(0.5).build();
            float[] a = pipe.txt2img(s).finalLatents().data();
            float[] b = pipe.txt2img(s).finalLatents().data();
            float[] c =
                    pipe.txt2img(s.toBuilder().seed(43).build()).finalLatents().data();
            assertArrayEquals(a, b, 0f, sampler);
            assertFalse(java.util.Arrays.equals(a, c), sampler);
        }
    }

    @Test
    void progressIsReportedEveryStep() {
        List<int[]> calls = new ArrayList<>();
        pipe.txt2img(base().steps(6).build(), step -> calls.add(new int[] {step.done(), step.total()}), null);
        assertEquals(6, calls.size());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(new int[] {i + 1, 6}, calls.get(i));
        }
    }

    /** The probe's --cfg Infinity gave a black PNG with exit 0; finite but huge guidance overflows the same way. */
    @Test
    void latentsThatStopBeingNumbersFailTheGenerationInsteadOfDrawingBlack() {
        EngineException e = assertThrows(
                EngineException.class,
                () -> pipe.txt2img(base().guidanceScale(1e38).build()));
        assertTrue(e.getMessage().startsWith("the latents became NaN or infinite at step "), e.getMessage());
        assertEquals(5, pipe.txt2img(base().build()).settings().steps(), "the pipeline stays usable");
    }

    @Test
    void cancellationStopsBetweenStepsAndPipelineStaysUsable() {
        GenerationSettings s = base().steps(8).build();
        float[] expected = pipe.txt2img(s).finalLatents().data();
        AtomicInteger steps = new AtomicInteger();
        assertThrows(
                CancellationException.class,
                () -> pipe.txt2img(s, step -> steps.set(step.done()), () -> steps.get() >= 3));
        assertEquals(3, steps.get());
        // an interrupt (how the kernel stops a cell) cancels within one step
        AtomicInteger steps2 = new AtomicInteger();
        assertThrows(
                CancellationException.class,
                () -> pipe.txt2img(
                        s,
                        step -> {
                            steps2.set(step.done());
                            if (step.done() == 2) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        null));
        assertEquals(2, steps2.get());
        assertFalse(Thread.currentThread().isInterrupted());
        assertArrayEquals(expected, pipe.txt2img(s).finalLatents().data(), 0f);
    }

    @Test
    void batchesNonSquareAndNoCfg() {
        GenerationSettings s = GenerationSettings.builder()
                .prompts(List.of("a dog", "a cat"))
                .negativePrompt("ugly")
                .imagesPerPrompt(2)
                .steps(3)
                .guidanceScale(1.0)
                .sampler("euler")
                .seed(7)
                .size(48, 32)
                .build();
        int[] batch = new int[1];
        GenerationResult r = pipe.txt2img(
                s, step -> batch[0] = (int) step.modelInput().getShape().get(0), null);
        assertEquals(4, batch[0], "no CFG at scale 1: UNet batch = images");
        assertEquals(4, r.images().size());
        BufferedImage img = r.images().get(0);
        assertEquals(48, img.getWidth());
        assertEquals(32, img.getHeight());
        assertArrayEquals(new long[] {4, 4, 16, 24}, r.finalLatents().shape());
        // the two images of one prompt share the prompt but not the noise
        float[] d = r.finalLatents().data();
        int n = 4 * 16 * 24;
        assertFalse(java.util.Arrays.equals(
                java.util.Arrays.copyOfRange(d, 0, n), java.util.Arrays.copyOfRange(d, n, 2 * n)));
    }

    @Test
    void img2imgRunsStrengthTimesSteps() {
        BufferedImage init = pipe.txt2img(base().build()).images().get(0);
        for (double strength : new double[] {0.5, 1.0}) {
            AtomicInteger total = new AtomicInteger();
            GenerationResult r =
                    pipe.img2img(base().steps(10).build(), init, strength, step -> total.set(step.total()), null);
            assertEquals((int) (10 * strength), total.get());
            assertEquals(32, r.images().get(0).getWidth());
            GenerationResult again = pipe.img2img(base().steps(10).build(), init, strength, null, null);
            assertArrayEquals(r.finalLatents().data(), again.finalLatents().data(), 0f);
        }
        assertThrows(EngineException.class, () -> pipe.img2img(base().build(), init, 0.0, null, null));
        // second-order Heun: diffusers slices its doubled schedule at t_start·order → 2·10−1 − 2·5 = 9 calls
        AtomicInteger heun = new AtomicInteger();
        pipe.img2img(base().steps(10).sampler("heun").build(), init, 0.5, step -> heun.set(step.total()), null);
        assertEquals(9, heun.get());
        GenerationResult karras =
                pipe.img2img(base().steps(10).sampler("dpmpp_2m_karras").build(), init, 0.6, null, null);
        for (float v : karras.finalLatents().data()) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThrows(
                EngineException.class, () -> pipe.txt2img(base().size(30, 32).build()));
        assertThrows(
                EngineException.class, () -> pipe.txt2img(base().sampler("nope").build()));
        assertThrows(EngineException.class, () -> pipe.txt2img(base().steps(0).build()));
        EngineException e = assertThrows(
                EngineException.class, () -> pipe.txt2img(base().clipSkip(4).build()));
        assertTrue(e.getMessage().contains("clip skip"));
    }

    @Test
    void clipSkipUsesAnEarlierLayer() {
        float[] a = pipe.txt2img(base().steps(2).build()).finalLatents().data();
        float[] b =
                pipe.txt2img(base().steps(2).clipSkip(1).build()).finalLatents().data();
        assertFalse(java.util.Arrays.equals(a, b));
    }

    /**
     * VAE tiling in generations: the tiny model's VAE tiles are 32 pixels (its sample_size), so a 32×32 image is not
     * tiled and a 64×64 one is.
     */
    @Nested
    class TiledVae {

        private GenerationSettings.Builder settings(int size) {
            return GenerationSettings.builder()
                    .prompt("a red circle")
                    .steps(2)
                    .guidanceScale(7)
                    .sampler("euler")
                    .seed(11)
                    .size(size, size);
        }

        @Test
        void anImageNoLargerThanATileIsBitIdenticalAndItsParametersDoNotNameTiling() {
            GenerationSettings off = settings(32).build();
            GenerationSettings on = settings(32).vaeTiling(VaeTiling.DEFAULT).build();
            assertEquals(
                    0,
                    differingPixels(
                            pipe.txt2img(off).images().get(0),
                            pipe.txt2img(on).images().get(0)));
            assertFalse(pipe.tilesVae(on));
            assertFalse(GenerationParameters.of(on, 0, "tiny")
                    .withVaeTiling(on, pipe.tilesVae(on))
                    .toA1111()
                    .contains("VAE tiling"));
            // img2img encodes the init image through the same switch
            BufferedImage init = pipe.txt2img(off).images().get(0);
            assertEquals(
                    0,
                    differingPixels(
                            pipe.img2img(off, init, 0.5, null, null).images().get(0),
                            pipe.img2img(on, init, 0.5, null, null).images().get(0)));
        }

        @Test
        void aLargerImageIsTiledAndItsParametersSaySo() {
            GenerationSettings off = settings(64).build();
            GenerationSettings on = settings(64).vaeTiling(VaeTiling.DEFAULT).build();
            BufferedImage untiled = pipe.txt2img(off).images().get(0);
            BufferedImage tiled = pipe.txt2img(on).images().get(0);
            int differing = differingPixels(untiled, tiled);
            assertTrue(differing > 0, "a 64x64 image was not tiled with 32-pixel tiles");
            assertTrue(pipe.tilesVae(on));
            assertEquals(
                    "True",
                    GenerationParameters.of(on, 0, "tiny")
                            .withVaeTiling(on, true)
                            .extra()
                            .get("VAE tiling"));
            GenerationSettings small = settings(64).vaeTiling(new VaeTiling(16)).build();
            assertEquals(
                    "16",
                    GenerationParameters.of(small, 0, "tiny")
                            .withVaeTiling(small, pipe.tilesVae(small))
                            .extra()
                            .get("VAE tiling"));
            // img2img at 64x64: the init image is encoded in tiles too
            assertTrue(differingPixels(
                            pipe.img2img(off, untiled, 0.5, null, null).images().get(0),
                            pipe.img2img(on, untiled, 0.5, null, null).images().get(0))
                    > 0);
            // a hires pass to 64x64 from 32x32 tiles its larger decode
            GenerationSettings hires = settings(32)
                    .hires(HiresFix.byScale(HiresFix.Upscaler.LATENT, 2, 0, 0.5))
                    .vaeTiling(VaeTiling.DEFAULT)
                    .build();
            assertTrue(pipe.tilesVae(hires));
        }

        @Test
        void aTileSizeTheVaeCannotSplitIsRefusedBeforeAnyWork() {
            EngineException e = assertThrows(
                    EngineException.class,
                    () -> pipe.txt2img(settings(64).vaeTiling(new VaeTiling(20)).build()));
            assertTrue(
                    e.getMessage()
                            .startsWith("--vae-tile-size 20 does not split into overlapping tiles: use a"
                                    + " multiple of 8 pixels"),
                    e.getMessage());
        }

        @Test
        void aRequestThatFitsOnlyWithTilingIsRefusedNamingVaeTiling() {
            // 2048x2048: about 25 GB untiled (the decoder at full resolution), about 6 GB tiled
            System.setProperty("easel.memory.available", String.valueOf(8L << 30));
            try {
                EngineException e = assertThrows(
                        EngineException.class, () -> settings(2048).build().validate());
                assertTrue(e.getMessage().startsWith("1 image of 2048x2048 needs about "), e.getMessage());
                assertTrue(
                        e.getMessage().contains("; --vae-tiling (VAE decoding in tiles) would need about"),
                        e.getMessage());
                settings(2048).vaeTiling(VaeTiling.DEFAULT).build().validate();
                System.setProperty("easel.memory.available", String.valueOf(1L << 30));
                e = assertThrows(
                        EngineException.class, () -> settings(2048).build().validate());
                assertTrue(e.getMessage().endsWith("ask for a smaller size or fewer images at once"), e.getMessage());
            } finally {
                System.clearProperty("easel.memory.available");
            }
        }

        private int differingPixels(BufferedImage a, BufferedImage b) {
            assertEquals(a.getWidth(), b.getWidth());
            int n = 0;
            for (int y = 0; y < a.getHeight(); y++) {
                for (int x = 0; x < a.getWidth(); x++) {
                    if (a.getRGB(x, y) != b.getRGB(x, y)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }
}
