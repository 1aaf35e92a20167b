package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.Latents;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The float16 path (what a GPU runs by default) on the CPU, where libtorch has half-precision kernels for every op
 * the pipeline uses: weights held in float16, the UNet's input float16, and the reference cases' final latents
 * within gpu/probe's float16 tolerance (relative L2 3e-2) of diffusers' float32 results.
 */
class Float16PathTest {

    @Test
    void referenceCasesInFloat16StayCloseToFloat32() {
        Map<String, Double> errors = new LinkedHashMap<>();
        List<DataType> stepTypes = new ArrayList<>();
        try (StableDiffusionPipeline pipe = ModelLoader.load(
                        Reference.model(), LoadOptions.cpu().withDevice(Device.cpu(), DataType.FLOAT16));
                NDManager m = NDManager.newBaseManager()) {
            pipe.unet().parameters().values().forEach(w -> assertEquals(DataType.FLOAT16, w.getDataType()));
            for (JsonNode c : Reference.index().get("cases")) {
                String dir = "cases/" + c.get("id").asText() + "/";
                GenerationSettings s = PipelineCasesTest.caseSettings(c, Reference.npy(m, dir + "latents_init.npy"))
                        .build();
                Latents result = pipe.txt2img(
                                s,
                                step -> {
                                    if (step.done() == 1) {
                                        stepTypes.add(step.modelInput().getDataType());
                                        stepTypes.add(step.latents().getDataType());
                                    }
                                },
                                null)
                        .finalLatents();
                errors.put(
                        c.get("id").asText(), relative(Reference.npy(m, dir + "final_latents.npy"), result.toArray(m)));
            }
        }
        System.out.println("float16 on CPU, final latents vs diffusers float32, relative L2: " + errors);
        // The UNet computes in float16; the latents and the sampler's arithmetic stay float32 (diffusers upcasts too).
        for (int k = 0; k < stepTypes.size(); k += 2) {
            assertEquals(
                    List.of(DataType.FLOAT16, DataType.FLOAT32), stepTypes.subList(k, k + 2), "UNet input, latents");
        }
        errors.forEach((id, e) -> assertTrue(e <= 3e-2, id + ": float16 final latents off by " + e + " (relative)"));
        // Not a float32 run by mistake: half precision must leave a trace.
        assertTrue(errors.values().stream().anyMatch(e -> e > 1e-5), "float16 errors all zero: " + errors);
    }

    static double relative(NDArray expected, NDArray actual) {
        float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < e.length; i++) {
            if (!Float.isFinite(a[i])) {
                return Double.POSITIVE_INFINITY;
            }
            num += (a[i] - (double) e[i]) * (a[i] - (double) e[i]);
            den += (double) e[i] * e[i];
        }
        return Math.sqrt(num / den);
    }
}
