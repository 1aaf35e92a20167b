package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.EngineException;

/**
 * The training noise schedule and options from {@code scheduler/scheduler_config.json}, shared by all samplers.
 * {@code timestepSpacing} is null when the file does not set it, so each sampler applies its own class default as
 * diffusers' {@code from_config} does.
 */
public record SchedulerConfig(int numTrainTimesteps, double betaStart, double betaEnd, String betaSchedule,
                              String predictionType, int stepsOffset, boolean setAlphaToOne,
                              String timestepSpacing) {

    /** Stable Diffusion 1.x's schedule. */
    public static SchedulerConfig sd1() {
        return new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", "epsilon", 1, false, null);
    }

    public static SchedulerConfig fromJson(JsonNode n) {
        SchedulerConfig d = sd1();
        return new SchedulerConfig(n.path("num_train_timesteps").asInt(d.numTrainTimesteps()),
                n.path("beta_start").asDouble(d.betaStart()), n.path("beta_end").asDouble(d.betaEnd()),
                n.path("beta_schedule").asText(d.betaSchedule()), n.path("prediction_type").asText("epsilon"),
                n.path("steps_offset").asInt(0), n.path("set_alpha_to_one").asBoolean(true),
                n.hasNonNull("timestep_spacing") ? n.get("timestep_spacing").asText() : null);
    }

    public SchedulerConfig withSpacing(String spacing) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, stepsOffset,
                setAlphaToOne, spacing);
    }

    public SchedulerConfig withPredictionType(String type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, type, stepsOffset,
                setAlphaToOne, timestepSpacing);
    }

    public boolean vPrediction() {
        return "v_prediction".equals(predictionType);
    }

    /** ᾱ_t as float32, computed by libtorch exactly as diffusers does (linspace, square, cumprod). */
    public float[] alphasCumprod() {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDArray betas;
            switch (betaSchedule) {
                case "scaled_linear":
                    betas = m.linspace((float) Math.sqrt(betaStart), (float) Math.sqrt(betaEnd), numTrainTimesteps)
                            .pow(2);
                    break;
                case "linear":
                    betas = m.linspace((float) betaStart, (float) betaEnd, numTrainTimesteps);
                    break;
                default:
                    throw new EngineException("scheduler config: unsupported beta_schedule " + betaSchedule);
            }
            NDArray alphas = m.ones(betas.getShape(), DataType.FLOAT32).sub(betas);
            return alphas.cumProd(0).toFloatArray();
        }
    }
}
