package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.HiresFix;
import dev.easel.engine.pipeline.PromptEncoder;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.prompt.PromptChunks;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A1111's prompt reading, schedules, variation seeds and hires fix through the whole pipeline. */
class PromptFeaturesTest {

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
                .prompt("a red circle on a blue square")
                .negativePrompt("blurry")
                .steps(4)
                .guidanceScale(7)
                .sampler("euler")
                .seed(11)
                .size(32, 32);
    }

    @Test
    void aPlainPromptEncodesExactlyAsDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            String p = "a photograph of an astronaut riding a horse";
            NDArray literal = pipe.encodeText(m, List.of(p), 0);
            NDArray a1111 = pipe.promptEncoder().encode(m, PromptChunks.of(p, pipe.tokenizer()), 0);
            assertArrayEquals(literal.toFloatArray(), a1111.toFloatArray(), 0f);
            // and whole generations agree to the bit
            float[] x = pipe.txt2img(base().build()).finalLatents().data();
            float[] y = pipe.txt2img(base().plainPrompt(true).build())
                    .finalLatents()
                    .data();
            assertArrayEquals(x, y, 0f);
        }
    }

    @Test
    void weightsScaleTokensAndKeepTheMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            PromptEncoder enc = pipe.promptEncoder();
            NDArray plain = enc.encode(m, PromptChunks.of("a red circle", pipe.tokenizer()), 0);
            NDArray weighted = enc.encode(m, PromptChunks.of("a (red:1.5) circle", pipe.tokenizer()), 0);
            assertEquals(plain.mean().getFloat(), weighted.mean().getFloat(), 1e-6);
            float[] p = plain.get(0).get(2).toFloatArray(); // the token "red"
            float[] w = weighted.get(0).get(2).toFloatArray();
            float ratio = plain.mean().getFloat() / weighted.mul(1f).mean().getFloat();
            // w = 1.5·p·(mean before / mean after); the rescale is the same for every token of the chunk
            float[] p0 = plain.get(0).get(1).toFloatArray();
            float[] w0 = weighted.get(0).get(1).toFloatArray();
            float scale = w0[0] / p0[0];
            assertEquals(1.5f * scale, w[0] / p[0], 1e-4);
            assertTrue(ratio > 0);
            assertFalse(Arrays.equals(p, w));
        }
    }

    @Test
    void aLongPromptIsReadWholeInChunks() {
        String longPrompt = "a red circle on a blue square, ".repeat(12) + "green triangle";
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = pipe.promptEncoder().encode(m, PromptChunks.of(longPrompt, pipe.tokenizer()), 0);
            assertTrue(
                    z.getShape().get(1) >= 154 && z.getShape().get(1) % 77 == 0,
                    z.getShape().toString());
        }
        float[] whole = pipe.txt2img(base().prompts(List.of(longPrompt)).build())
                .finalLatents()
                .data();
        float[] cut = pipe.txt2img(
                        base().prompts(List.of(longPrompt)).plainPrompt(true).build())
                .finalLatents()
                .data();
        assertFalse(Arrays.equals(whole, cut), "the end of the prompt must count");
        // a short negative prompt next to a long prompt is padded with empty chunks
        float[] batch = pipe.txt2img(
                        base().prompts(List.of(longPrompt, "a cat")).build())
                .finalLatents()
                .data();
        assertEquals(2 * whole.length, batch.length);
    }

    @Test
    void editingChangesTheConditioningDuringSampling() {
        List<float[]> a =
                outputs(base().prompts(List.of("a [red:blue:2] circle")).build());
        List<float[]> red = outputs(base().prompts(List.of("a red circle")).build());
        List<float[]> blue = outputs(base().prompts(List.of("a blue circle")).build());
        // calls 0, 1 and 2 use "red" (A1111: counter ≤ 2), call 3 "blue" — starting from red's latents
        assertArrayEquals(red.get(0), a.get(0), 0f);
        assertArrayEquals(red.get(2), a.get(2), 0f);
        assertFalse(Arrays.equals(red.get(3), a.get(3)));
        assertFalse(Arrays.equals(blue.get(0), a.get(0)));
        List<float[]> alt =
                outputs(base().prompts(List.of("a [red|blue] circle")).build());
        assertArrayEquals(red.get(1), alt.get(1), 0f); // A1111's alternation: a, a, b, a, …
        assertFalse(Arrays.equals(red.get(2), alt.get(2)));
    }

    /** The UNet outputs per call. */
    private static List<float[]> outputs(GenerationSettings s) {
        List<float[]> out = new ArrayList<>();
        pipe.txt2img(s, step -> out.add(step.modelOutput().toFloatArray()), null);
        return out;
    }

    @Test
    void variationSeedsSlerpBetweenSeedAndSubseed() {
        float[] seed = pipe.txt2img(base().build()).finalLatents().data();
        float[] sub = pipe.txt2img(base().seed(99).build()).finalLatents().data();
        assertArrayEquals(
                seed,
                pipe.txt2img(base().variation(99, 0).build()).finalLatents().data(),
                0f);
        assertArrayEquals(
                sub,
                pipe.txt2img(base().variation(99, 1).build()).finalLatents().data(),
                1e-5f);
        float[] half =
                pipe.txt2img(base().variation(99, 0.3).build()).finalLatents().data();
        assertFalse(Arrays.equals(seed, half));
        assertFalse(Arrays.equals(sub, half));
        assertArrayEquals(
                half,
                pipe.txt2img(base().variation(99, 0.3).build()).finalLatents().data(),
                0f);
        EngineException e = assertThrows(
                EngineException.class,
                () -> pipe.txt2img(base().variation(99, 1.5).build()));
        assertTrue(e.getMessage().contains("between 0 and 1"), e.getMessage());
    }

    @Test
    void hiresFixMakesTheLargerImageWithProgressOverBothPasses() {
        for (HiresFix.Upscaler u : HiresFix.Upscaler.values()) {
            List<int[]> calls = new ArrayList<>();
            GenerationSettings s = base().hires(HiresFix.byScale(u, 2, 3, 0.6)).build();
            var r = pipe.txt2img(s, step -> calls.add(new int[] {step.done(), step.total()}), null);
            BufferedImage img = r.images().get(0);
            assertEquals(64, img.getWidth(), u.id());
            assertEquals(64, img.getHeight(), u.id());
            assertEquals(7, calls.size(), u.id()); // 4 first-pass steps + exactly 3 hires steps
            assertArrayEquals(new int[] {7, 7}, calls.get(6));
            assertArrayEquals(
                    r.finalLatents().data(), pipe.txt2img(s).finalLatents().data(), 0f, u.id());
        }
        var sized = pipe.txt2img(base().hires(HiresFix.toSize(HiresFix.Upscaler.LATENT, 48, 40, 0, 0.5))
                .build());
        assertEquals(48, sized.images().get(0).getWidth());
        assertEquals(40, sized.images().get(0).getHeight());
        EngineException e = assertThrows(
                EngineException.class,
                () -> pipe.txt2img(base().hires(HiresFix.toSize(HiresFix.Upscaler.LATENT, 50, 40, 0, 0.5))
                        .build()));
        assertTrue(e.getMessage().contains("not a multiple of 8; use 48x40"), e.getMessage());
        e = assertThrows(
                EngineException.class,
                () -> pipe.txt2img(base().hires(HiresFix.byScale(HiresFix.Upscaler.LATENT, 1.3, 0, 0.5))
                        .build()));
        assertTrue(e.getMessage().contains("not a multiple of 8"), e.getMessage());
    }

    @Test
    void samplerNamesWithASchedule() {
        float[] named = pipe.txt2img(base().sampler("Euler Karras").build())
                .finalLatents()
                .data();
        float[] split = pipe.txt2img(base().sampler("euler").schedule("karras").build())
                .finalLatents()
                .data();
        float[] plain = pipe.txt2img(base().build()).finalLatents().data();
        assertArrayEquals(named, split, 0f);
        assertFalse(Arrays.equals(named, plain));
        for (String sampler :
                new String[] {"DPM2", "DPM2 a", "DPM++ 2M SDE Karras", "DPM++ SDE", "DPM++ 2S a", "Heun Exponential"}) {
            float[] x =
                    pipe.txt2img(base().sampler(sampler).build()).finalLatents().data();
            assertArrayEquals(
                    x,
                    pipe.txt2img(base().sampler(sampler).build()).finalLatents().data(),
                    0f,
                    sampler);
            for (float v : x) {
                assertTrue(Float.isFinite(v), sampler);
            }
        }
        EngineException e = assertThrows(
                EngineException.class,
                () -> pipe.txt2img(base().sampler("DDIM").schedule("karras").build()));
        assertTrue(e.getMessage().contains("has no sigma schedule"), e.getMessage());
        e = assertThrows(
                EngineException.class,
                () -> pipe.txt2img(base().schedule("polyexponential").build()));
        assertTrue(e.getMessage().contains("use default, karras or exponential"), e.getMessage());
    }
}
