package dev.easel.engine.samplers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.Configs;

/**
 * The training noise schedule and options from {@code scheduler/scheduler_config.json}, shared by all samplers.
 * {@code timestepSpacing} is null when the file does not set it, so each sampler applies its own class default as
 * diffusers' {@code from_config} does.
 *
 * @param rescaleBetasZeroSnr diffusers' {@code rescale_betas_zero_snr} (Lin et al. 2023): the schedule is rescaled
 *                            so the last timestep is pure noise. SD 1.x's own schedule keeps √ᾱ = 0.068 of the image
 *                            at t = 999, enough for a model to read colours and layout from the noise it is given —
 *                            which at sampling time is random.
 */
public record SchedulerConfig(int numTrainTimesteps, double betaStart, double betaEnd, String betaSchedule,
                              String predictionType, int stepsOffset, boolean setAlphaToOne,
                              String timestepSpacing, String className, boolean rescaleBetasZeroSnr) {

    /**
     * What ᾱ at the last timestep becomes under zero-terminal-SNR: diffusers' Euler and DPM-Solver schedulers use
     * 2⁻²⁴ instead of 0 so σ_max stays finite; every sampler here (and training) shares that value.
     */
    static final float ZERO_SNR_TERMINAL_ALPHA_CUMPROD = 0x1p-24f;

    /** Stable Diffusion 1.x's schedule. */
    public static SchedulerConfig sd1() {
        return new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", "epsilon", 1, false, null, null, false);
    }

    public static SchedulerConfig fromJson(JsonNode n) {
        SchedulerConfig d = sd1();
        double betaStart = Configs.positiveNumber(n, "beta_start", d.betaStart());
        double betaEnd = Configs.positiveNumber(n, "beta_end", d.betaEnd());
        if (betaEnd >= 1) {
            throw new EngineException("\"beta_end\" is " + betaEnd + "; expected a number below 1");
        }
        return new SchedulerConfig(Configs.positive(n, "num_train_timesteps", d.numTrainTimesteps()), betaStart,
                betaEnd, Configs.choice(n, "beta_schedule", d.betaSchedule(), "scaled_linear", "linear"),
                Configs.choice(n, "prediction_type", "epsilon", "epsilon", "v_prediction", "sample"),
                Configs.count(n, "steps_offset", 0), Configs.bool(n, "set_alpha_to_one", true),
                Configs.text(n, "timestep_spacing", null), Configs.text(n, "_class_name", null),
                Configs.bool(n, "rescale_betas_zero_snr", false));
    }

    /** An explicit spacing for whichever sampler uses this config (forgets which class the file was saved for). */
    public SchedulerConfig withSpacing(String spacing) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, stepsOffset,
                setAlphaToOne, spacing, null, rescaleBetasZeroSnr);
    }

    public SchedulerConfig withPredictionType(String type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, type, stepsOffset,
                setAlphaToOne, timestepSpacing, className, rescaleBetasZeroSnr);
    }

    /** This schedule rescaled to zero terminal SNR (or not). */
    public SchedulerConfig withZeroTerminalSnr(boolean rescale) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, stepsOffset,
                setAlphaToOne, timestepSpacing, className, rescale);
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
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
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
            NDArray alphasCumprod = m.ones(betas.getShape(), DataType.FLOAT32).sub(betas).cumProd(0);
            if (!rescaleBetasZeroSnr) {
                return alphasCumprod.toFloatArray();
            }
            float[] rescaled = rescaleZeroTerminalSnr(alphasCumprod.sqrt()).toFloatArray();
            rescaled[rescaled.length - 1] = ZERO_SNR_TERMINAL_ALPHA_CUMPROD;
            return rescaled;
        }
    }

    /**
     * Lin et al. 2023, Algorithm 1, as diffusers' {@code rescale_zero_terminal_snr}: shift √ᾱ so the last value is 0
     * and scale it so the first is unchanged, then go back to ᾱ through the betas (cumprod of the new alphas).
     */
    private static NDArray rescaleZeroTerminalSnr(NDArray sqrtAlphasCumprod) {
        long n = sqrtAlphasCumprod.size();
        float first = sqrtAlphasCumprod.getFloat(0);
        float last = sqrtAlphasCumprod.getFloat(n - 1);
        NDArray alphasBar = sqrtAlphasCumprod.sub(last).mul(first / (first - last)).square();
        NDArray alphas = NDArrays.concat(new NDList(alphasBar.get("0:1"),
                alphasBar.get("1:").div(alphasBar.get(":-1"))));
        return alphas.cumProd(0);
    }
}
