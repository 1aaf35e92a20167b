package dev.easel.engine;

import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeds, progress, cancellation, batches, non-square sizes and img2img. */
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
        return GenerationSettings.builder().prompt("a photograph of an astronaut riding a horse").steps(5)
                .guidanceScale(7.5).sampler("ddim").seed(42).size(32, 32);
    }

    @Test
    void seedGivesTorchsNoise() {
        // torch.manual_seed(42); torch.randn(1, 4, 16, 16) starts 1.9269153, 1.4872841, 0.9007172
        float[][] first = new float[1][];
        pipe.txt2img(base().build(), step -> {
            if (step.index() == 0) {
                first[0] = step.modelInput().toFloatArray();
            }
        }, null);
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
            pipe.txt2img(base().prompt(prompt).steps(1).seed(7).plainPrompt(true).build());
        } finally {
            System.setErr(stderr);
        }
        String warning = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, warning.lines().filter(l -> l.contains("cut off")).count(), warning);
        assertTrue(warning.contains("easel: the text encoder reads 75 tokens") && warning.contains("last words\""),
                warning);
    }

    @Test
    void sameSeedSameImageDifferentSeedDifferent() {
        for (String sampler : new String[] {"euler_a", "ddim"}) {
            GenerationSettings s = base().sampler(sampler).eta(0.5).build();
            float[] a = pipe.txt2img(s).finalLatents().data();
            float[] b = pipe.txt2img(s).finalLatents().data();
            float[] c = pipe.txt2img(s.toBuilder().seed(43).build()).finalLatents().data();
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
        EngineException e = assertThrows(EngineException.class,
                () -> pipe.txt2img(base().guidanceScale(1e38).build()));
        assertTrue(e.getMessage().startsWith("the latents became NaN or infinite at step "), e.getMessage());
        assertEquals(5, pipe.txt2img(base().build()).settings().steps(), "the pipeline stays usable");
    }

    @Test
    void cancellationStopsBetweenStepsAndPipelineStaysUsable() {
        GenerationSettings s = base().steps(8).build();
        float[] expected = pipe.txt2img(s).finalLatents().data();
        AtomicInteger steps = new AtomicInteger();
        assertThrows(CancellationException.class,
                () -> pipe.txt2img(s, step -> steps.set(step.done()), () -> steps.get() >= 3));
        assertEquals(3, steps.get());
        // an interrupt (how the kernel stops a cell) cancels within one step
        AtomicInteger steps2 = new AtomicInteger();
        assertThrows(CancellationException.class, () -> pipe.txt2img(s, step -> {
            steps2.set(step.done());
            if (step.done() == 2) {
                Thread.currentThread().interrupt();
            }
        }, null));
        assertEquals(2, steps2.get());
        assertFalse(Thread.currentThread().isInterrupted());
        assertArrayEquals(expected, pipe.txt2img(s).finalLatents().data(), 0f);
    }

    @Test
    void batchesNonSquareAndNoCfg() {
        GenerationSettings s = GenerationSettings.builder().prompts(List.of("a dog", "a cat")).negativePrompt("ugly")
                .imagesPerPrompt(2).steps(3).guidanceScale(1.0).sampler("euler").seed(7).size(48, 32).build();
        int[] batch = new int[1];
        GenerationResult r = pipe.txt2img(s, step -> batch[0] = (int) step.modelInput().getShape().get(0), null);
        assertEquals(4, batch[0], "no CFG at scale 1: UNet batch = images");
        assertEquals(4, r.images().size());
        BufferedImage img = r.images().get(0);
        assertEquals(48, img.getWidth());
        assertEquals(32, img.getHeight());
        assertArrayEquals(new long[] {4, 4, 16, 24}, r.finalLatents().shape());
        // the two images of one prompt share the prompt but not the noise
        float[] d = r.finalLatents().data();
        int n = 4 * 16 * 24;
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(d, 0, n),
                java.util.Arrays.copyOfRange(d, n, 2 * n)));
    }

    @Test
    void img2imgRunsStrengthTimesSteps() {
        BufferedImage init = pipe.txt2img(base().build()).images().get(0);
        for (double strength : new double[] {0.5, 1.0}) {
            AtomicInteger total = new AtomicInteger();
            GenerationResult r = pipe.img2img(base().steps(10).build(), init, strength,
                    step -> total.set(step.total()), null);
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
        GenerationResult karras = pipe.img2img(base().steps(10).sampler("dpmpp_2m_karras").build(), init, 0.6,
                null, null);
        for (float v : karras.finalLatents().data()) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThrows(EngineException.class, () -> pipe.txt2img(base().size(30, 32).build()));
        assertThrows(EngineException.class, () -> pipe.txt2img(base().sampler("nope").build()));
        assertThrows(EngineException.class, () -> pipe.txt2img(base().steps(0).build()));
        EngineException e = assertThrows(EngineException.class, () -> pipe.txt2img(base().clipSkip(4).build()));
        assertTrue(e.getMessage().contains("clip skip"));
    }

    @Test
    void clipSkipUsesAnEarlierLayer() {
        float[] a = pipe.txt2img(base().steps(2).build()).finalLatents().data();
        float[] b = pipe.txt2img(base().steps(2).clipSkip(1).build()).finalLatents().data();
        assertFalse(java.util.Arrays.equals(a, b));
    }
}
