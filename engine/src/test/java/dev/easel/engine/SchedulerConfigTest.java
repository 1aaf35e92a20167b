package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.models.Configs;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.Sampler;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.samplers.TimestepSpacing;
import org.junit.jupiter.api.Test;

/**
 * Switching samplers keeps what diffusers' {@code OtherScheduler.from_config(pipe.scheduler.config)} keeps: the
 * file's {@code timestep_spacing} whichever class it was saved for, and each class's own default when the file has
 * none. Checked against diffusers' timestep tables in the reference data.
 */
class SchedulerConfigTest {

    private static final int[] STEPS = {1, 2, 4, 7, 10, 20, 25, 50};

    private static double[] table(NDManager m, String name) {
        JsonNode entry = Reference.index().path("global").path("schedulers").path(name);
        return Reference.npy(m, entry.get("timesteps").asText())
                .toType(DataType.FLOAT64, false)
                .toDoubleArray();
    }

    private static double[] timesteps(String sampler, SchedulerConfig config, int steps) {
        Sampler s = Samplers.create(sampler, config, 0);
        s.setTimesteps(steps, null);
        return s.timesteps();
    }

    /** SD 1.5's original scheduler file: PNDM, no timestep_spacing. */
    private static ObjectNode sd15OriginalFile() {
        ObjectNode n = (ObjectNode) Reference.index()
                .path("global")
                .path("schedulers")
                .path("euler_config")
                .deepCopy();
        n.remove("timestep_spacing");
        n.put("_class_name", "PNDMScheduler");
        return n;
    }

    @Test
    void aFileWithoutSpacingGivesEachClassItsDefault() {
        SchedulerConfig config = SchedulerConfig.fromJson(sd15OriginalFile());
        assertNull(config.timestepSpacing());
        try (NDManager m = NDManager.newBaseManager()) {
            for (int n : STEPS) {
                assertArrayEquals(
                        table(m, "euler_n" + (n < 10 ? "0" : "") + n),
                        timesteps("euler", config, n),
                        1e-4,
                        "Euler (linspace) at " + n);
                assertArrayEquals(
                        table(m, "ddim_n" + (n < 10 ? "0" : "") + n),
                        timesteps("ddim", config, n),
                        0,
                        "DDIM (leading) at " + n);
            }
        }
    }

    @Test
    void aSavedSpacingCarriesToEverySampler() {
        // tiny-sd's scheduler file as diffusers 0.25.1 saved it: DDIMScheduler with "timestep_spacing": "leading"
        SchedulerConfig resaved =
                SchedulerConfig.fromJson(Configs.read(Reference.model().resolve("scheduler/scheduler_config.json")));
        assertEquals(TimestepSpacing.LEADING, resaved.timestepSpacing());
        try (NDManager m = NDManager.newBaseManager()) {
            for (int n : STEPS) {
                String suffix = (n < 10 ? "0" : "") + n;
                // Euler with "leading" takes DDIM's timesteps (arange·(T//n) + steps_offset), as float
                assertArrayEquals(
                        table(m, "ddim_n" + suffix),
                        timesteps("euler", resaved, n),
                        0,
                        "Euler on a re-saved DDIM config at " + n);
            }
            // a config saved by Euler ("linspace") switched to DDIM: DDIM spaces linspace, rounded
            SchedulerConfig fromEuler = SchedulerConfig.fromJson(
                    Reference.index().path("global").path("schedulers").path("euler_config"));
            for (int n : STEPS) {
                double[] euler = table(m, "euler_n" + (n < 10 ? "0" : "") + n);
                double[] rounded = new double[euler.length];
                for (int i = 0; i < euler.length; i++) {
                    rounded[i] = Math.rint(euler[i]);
                }
                assertArrayEquals(rounded, timesteps("ddim", fromEuler, n), 1e-9, "DDIM on an Euler config at " + n);
            }
        }
        // diffusers' documented init_noise_sigma for Euler: √(σmax²+1) under leading, σmax otherwise
        Sampler leading = Samplers.create("euler", resaved, 0);
        leading.setTimesteps(10, null);
        float sigmaMax = leading.sigmas()[0];
        assertEquals(Math.sqrt(sigmaMax * sigmaMax + 1), leading.initNoiseSigma(), 1e-4);
        // DPM-Solver's own leading formula: arange(0, n+1)·(T//(n+1)), reversed, last dropped, + steps_offset (1)
        assertArrayEquals(
                new double[] {901, 811, 721, 631, 541, 451, 361, 271, 181, 91},
                timesteps("dpmpp_2m", resaved.withSpacing(TimestepSpacing.LEADING), 10),
                0);
    }

    @Test
    void anExplicitSpacingOverridesTheFile() {
        SchedulerConfig resaved =
                SchedulerConfig.fromJson(Configs.read(Reference.model().resolve("scheduler/scheduler_config.json")));
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(
                    table(m, "euler_n10"), timesteps("euler", resaved.withSpacing(TimestepSpacing.LINSPACE), 10), 1e-4);
        }
    }

    @Test
    void lowerOrderFinalComesFromTheFileAndDefaultsToOn() {
        // DPMSolverMultistep and UniPC take lower_order_final; SD's own file lacks it, so diffusers' default (true)
        // applies. What the flag does to the steps is checked against diffusers' numbers in
        // DiffusersSchedulerNumbersTest (its DPM-Solver test turns it off).
        assertTrue(SchedulerConfig.fromJson(sd15OriginalFile()).lowerOrderFinal());
        ObjectNode off = sd15OriginalFile().put("lower_order_final", false);
        assertFalse(SchedulerConfig.fromJson(off).lowerOrderFinal());
        ObjectNode bad = sd15OriginalFile().put("lower_order_final", "no");
        EngineException e = assertThrows(EngineException.class, () -> SchedulerConfig.fromJson(bad));
        assertTrue(e.getMessage().contains("lower_order_final"), e.getMessage());
    }

    @Test
    void badEnumValuesNameTheKeyAndTheChoices() {
        // validated by Configs like every key: the key, the value as written and the choices
        ObjectNode spacing = sd15OriginalFile().put("timestep_spacing", "even");
        EngineException e = assertThrows(EngineException.class, () -> SchedulerConfig.fromJson(spacing));
        assertTrue(
                e.getMessage().contains("timestep_spacing")
                        && e.getMessage().contains("\"even\"")
                        && e.getMessage().contains("leading, linspace, trailing"),
                e.getMessage());
        ObjectNode prediction = sd15OriginalFile().put("prediction_type", "noise");
        e = assertThrows(EngineException.class, () -> SchedulerConfig.fromJson(prediction));
        assertTrue(
                e.getMessage().contains("prediction_type") && e.getMessage().contains("v_prediction"), e.getMessage());
        assertEquals(PredictionType.V_PREDICTION, PredictionType.parse("V_Prediction", "test"));
    }
}
