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
                              String timestepSpacing, String className) {

    /** Stable Diffusion 1.x's schedule. */
    public static SchedulerConfig sd1() {
        return new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", "epsilon", 1, false, null, null);
    }

    public static SchedulerConfig fromJson(JsonNode n) {
        SchedulerConfig d = sd1();
        return new SchedulerConfig(n.path("num_train_timesteps").asInt(d.numTrainTimesteps()),
                n.path("beta_start").asDouble(d.betaStart()), n.path("beta_end").asDouble(d.betaEnd()),
                n.path("beta_schedule").asText(d.betaSchedule()), n.path("prediction_type").asText("epsilon"),
                n.path("steps_offset").asInt(0), n.path("set_alpha_to_one").asBoolean(true),
                n.hasNonNull("timestep_spacing") ? n.get("timestep_spacing").asText() : null,
                n.hasNonNull("_class_name") ? n.get("_class_name").asText() : null);
    }

    /** An explicit spacing for whichever sampler uses this config (forgets which class the file was saved for). */
    public SchedulerConfig withSpacing(String spacing) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, stepsOffset,
                setAlphaToOne, spacing, null);
    }

    public SchedulerConfig withPredictionType(String type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, type, stepsOffset,
                setAlphaToOne, timestepSpacing, className);
    }

    /**
     * The config a sampler of another class sees: the file's {@code timestep_spacing} belongs to the scheduler class
     * it was saved for, so other samplers fall back to their own class default (as with SD 1.5's original config,
     * which has no spacing).
     */
    public SchedulerConfig forSamplerClass(String samplerClass) {
        if (className != null && !className.equals(samplerClass)) {
            return withSpacing(null);
        }
        return this;
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
