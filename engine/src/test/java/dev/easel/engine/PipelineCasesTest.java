package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.Latents;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every whole-pipeline case of the reference data, step by step: token ids, prompt embeddings, per step the UNet
 * input, timestep, output and the latents after the step, final latents (1e-3), decoded pixels and the image.
 */
class PipelineCasesTest {

    static StableDiffusionPipeline pipe;

    @BeforeAll
    static void load() {
        pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    static List<String> strings(JsonNode n) {
        List<String> l = new ArrayList<>();
        if (n == null || n.isNull()) {
            return l;
        }
        if (n.isArray()) {
            n.forEach(x -> l.add(x.asText()));
        } else {
            l.add(n.asText());
        }
        return l;
    }

    @TestFactory
    Stream<DynamicTest> everyCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Reference.index().get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> runCase(c)));
        }
        assertTrue(tests.size() >= 4);
        return tests.stream();
    }

    /** A reference case's generation settings, started from {@code init} (its {@code latents_init}). */
    static GenerationSettings.Builder caseSettings(JsonNode c, NDArray init) {
        List<String> prompts = strings(c.get("prompt"));
        GenerationSettings.Builder b = GenerationSettings.builder()
                .prompts(prompts)
                .negativePrompts(strings(c.get("negative_prompt")))
                .steps(c.get("steps").asInt())
                .guidanceScale(c.get("guidance_scale").asDouble())
                .sampler(c.get("scheduler").asText())
                .seed(c.get("seed").asLong())
                .size(c.get("width").asInt(), c.get("height").asInt())
                .imagesPerPrompt(c.get("batch").asInt() / prompts.size())
                .eta(c.path("eta").asDouble(0))
                .initLatents(Latents.of(init));
        // The reference harness made each case's scheduler with from_config of SD 1.5's original file (no
        // timestep_spacing), while tiny-sd's re-saved file says "leading"; as in diffusers, a sampler takes the
        // spacing the model's file gives, so the case's own spacing is passed as an explicit choice.
        JsonNode spacing = c.path("scheduler_config").path("timestep_spacing");
        if (spacing.isTextual()) {
            b.spacing(spacing.asText());
        }
        if (c.hasNonNull("clip_skip")) {
            b.clipSkip(c.get("clip_skip").asInt());
        }
        return b;
    }

    static void runCase(JsonNode c) {
        String dir = "cases/" + c.get("id").asText() + "/";
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray init = Reference.npy(m, dir + "latents_init.npy");
            List<String> prompts = strings(c.get("prompt"));
            GenerationSettings s = caseSettings(c, init).build();

            // token ids and prompt embeddings
            long[] ids = Reference.npy(m, dir + "prompt_ids.npy").toLongArray();
            for (int i = 0; i < prompts.size(); i++) {
                long[] expected = java.util.Arrays.copyOfRange(ids, i * 77, i * 77 + 77);
                assertArrayEquals(expected, pipe.tokenizer().encode(prompts.get(i)), "prompt ids " + i);
            }
            Reference.assertClose(
                    "prompt_embeds",
                    Reference.npy(m, dir + "prompt_embeds.npy"),
                    pipe.encodeText(m, prompts, s.clipSkip()),
                    1e-4);

            NDArray unetIn = Reference.npy(m, dir + "unet_in.npy");
            NDArray unetOut = Reference.npy(m, dir + "unet_out.npy");
            NDArray steps = Reference.npy(m, dir + "latents_steps.npy");
            double[] unetT = Reference.npy(m, dir + "unet_t.npy")
                    .toType(DataType.FLOAT64, false)
                    .toDoubleArray();
            List<String> stepErrors = new ArrayList<>();
            int[] count = {0};
            GenerationResult r = pipe.txt2img(
                    s,
                    step -> {
                        int i = step.index();
                        double t = step.timestep();
                        NDArray in = step.modelInput();
                        NDArray out = step.modelOutput();
                        NDArray latents = step.latents();
                        count[0]++;
                        assertEquals(unetT[i], t, 1e-3, "timestep at step " + i);
                        double dIn = Reference.maxDiff(unetIn.get(i), in);
                        double dOut = Reference.maxDiff(unetOut.get(i), out);
                        double dLat = Reference.maxDiff(steps.get(i), latents);
                        if (dIn > 1e-3 || dOut > 1e-3 || dLat > 1e-3) {
                            stepErrors.add(
                                    "step " + i + ": unet_in " + dIn + ", unet_out " + dOut + ", latents " + dLat);
                        }
                    },
                    null);
            assertEquals(unetT.length, count[0], "UNet calls");
            assertTrue(stepErrors.isEmpty(), "drift: " + stepErrors);
            Reference.assertClose(
                    "final_latents",
                    Reference.npy(m, dir + "final_latents.npy"),
                    r.finalLatents().toArray(m),
                    1e-3);
            // images: decoded pixels → clamp(raw/2 + 0.5), compare against image.npy within 2e-3
            NDArray image = Reference.npy(m, dir + "image.npy");
            float[] expected = image.toFloatArray();
            int batch = r.images().size();
            assertEquals(c.get("batch").asInt(), batch);
            int h = (int) image.getShape().get(1);
            int w = (int) image.getShape().get(2);
            double max = 0;
            for (int k = 0; k < batch; k++) {
                BufferedImage img = r.images().get(k);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int rgb = img.getRGB(x, y);
                        int[] ch = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                        for (int q = 0; q < 3; q++) {
                            float e = expected[((k * h + y) * w + x) * 3 + q];
                            max = Math.max(max, Math.abs(ch[q] - Math.rint(e * 255)));
                        }
                    }
                }
            }
            assertTrue(max <= 1, "image pixels differ by up to " + max + " levels");
        }
    }
}
