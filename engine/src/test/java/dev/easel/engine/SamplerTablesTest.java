package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.samplers.Sampler;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SchedulerConfig;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Timesteps, sigmas and init noise sigma of every sampler table in the reference data. */
class SamplerTablesTest {

    @Test
    void alphasCumprodMatchTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] expected = Reference.npy(m, "global/alphas_cumprod.npy").toFloatArray();
            float[] actual = SchedulerConfig.sd1().alphasCumprod();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-7, "alphas_cumprod[" + i + "]");
            }
        }
    }

    @Test
    void everyTableMatches() {
        JsonNode tables = Reference.index().path("global").path("schedulers");
        int checked = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            Iterator<Map.Entry<String, JsonNode>> it = tables.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().endsWith("_config")) {
                    continue;
                }
                String name = e.getKey();
                String sampler = name.substring(0, name.lastIndexOf("_n"));
                int steps = Integer.parseInt(name.substring(name.lastIndexOf("_n") + 2));
                JsonNode cfgJson = tables.get(sampler + "_config");
                SchedulerConfig cfg = SchedulerConfig.fromJson(cfgJson);
                Sampler s = Samplers.create(sampler, cfg, 0);
                s.setTimesteps(steps, m);
                NDArray ts = Reference.npy(m, e.getValue().get("timesteps").asText());
                double[] expectedT =
                        ts.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                assertArrayEquals(expectedT, s.timesteps(), 1e-4, name + " timesteps");
                assertEquals(
                        e.getValue().get("init_noise_sigma").asDouble(),
                        s.initNoiseSigma(),
                        1e-5,
                        name + " init_noise_sigma");
                if (e.getValue().has("sigmas")) {
                    float[] expectedS = Reference.npy(
                                    m, e.getValue().get("sigmas").asText())
                            .toFloatArray();
                    float[] actual = s.sigmas();
                    assertEquals(expectedS.length, actual.length, name + " sigma count");
                    for (int i = 0; i < actual.length; i++) {
                        assertEquals(
                                expectedS[i],
                                actual[i],
                                1e-5 * Math.max(1, Math.abs(expectedS[i])),
                                name + " sigma " + i);
                    }
                }
                checked++;
            }
        }
        assertTrue(checked >= 24, "checked " + checked + " tables");
    }
}
