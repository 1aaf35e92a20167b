package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.Sampler;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SchedulerConfig;
import org.junit.jupiter.api.Test;

/** {@code rescale_betas_zero_snr}: Lin et al.'s rescaled schedule, read from a scheduler config. */
class ZeroTerminalSnrTest {

    @Test
    void rescaledScheduleFollowsTheFormulaAndEndsInPureNoise() throws Exception {
        float[] plain = SchedulerConfig.sd1().alphasCumprod();
        SchedulerConfig config = SchedulerConfig.fromJson(new ObjectMapper()
                .readTree("{\"beta_schedule\":\"scaled_linear\",\"beta_start\":0.00085,\"beta_end\":0.012,"
                        + "\"rescale_betas_zero_snr\":true,\"prediction_type\":\"v_prediction\"}"));
        float[] rescaled = config.alphasCumprod();

        double first = Math.sqrt(plain[0]);
        double last = Math.sqrt(plain[plain.length - 1]);
        for (int t = 0; t < plain.length - 1; t++) {
            double expected = Math.pow((Math.sqrt(plain[t]) - last) * first / (first - last), 2);
            assertEquals(expected, rescaled[t], 2e-5, "alphas_cumprod[" + t + "]");
            assertTrue(rescaled[t + 1] < rescaled[t], "the schedule adds noise at every step (t = " + t + ")");
        }
        assertEquals(0x1p-24f, rescaled[rescaled.length - 1], "the last step keeps 2^-24 of the signal, as diffusers");
        assertEquals(0.0683, last, 1e-4, "SD's own schedule leaves 6.8% of the image at t = 999");
    }

    @Test
    void eulerStartsFromPureNoiseAtTheLastTrainingStep() {
        SchedulerConfig config = SchedulerConfig.sd1()
                .withPredictionType(PredictionType.V_PREDICTION)
                .withZeroTerminalSnr(true);
        Sampler euler = Samplers.create("euler", config, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            euler.setTimesteps(20, m);
        }
        assertEquals(999.0, euler.timesteps()[0], 1e-9);
        assertEquals(4096.0, euler.initNoiseSigma(), 0.01, "σ_max = √((1 − 2⁻²⁴)/2⁻²⁴)");
    }
}
