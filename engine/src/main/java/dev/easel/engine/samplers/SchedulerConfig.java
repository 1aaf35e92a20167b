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
import java.util.function.Consumer;

/**
 * The training noise schedule and options from {@code scheduler/scheduler_config.json}, shared by all samplers.
 *
 * <p>Switching samplers keeps what diffusers' {@code OtherScheduler.from_config(pipe.scheduler.config)} keeps: every
 * key of the file that the new sampler's class takes, whichever class the file was saved for. Keys whose default
 * differs between classes are null here when the file does not set them, so each sampler applies its own class
 * default — as diffusers does for keys it lists in {@code _use_default_values}. SD 1.5's original file has no
 * {@code timestep_spacing} (Euler then spaces "linspace", DDIM "leading"); a file re-saved by diffusers ≥ 0.19 has
 * one, and every sampler uses it.
 *
 * @param predictionType      what the UNet predicts
 * @param setAlphaToOne       DDIM/PLMS's final ᾱ: 1, or ᾱ₀ (null: the class default, DDIM true, PLMS false)
 * @param timestepSpacing     null: the sampler class's default
 * @param useKarrasSigmas     diffusers' {@code use_karras_sigmas}; set by the sampler's name ("DPM++ 2M Karras"),
 *                            not read from the file, so a name always means the same schedule
 * @param rescaleBetasZeroSnr diffusers' {@code rescale_betas_zero_snr} (Lin et al. 2023): the schedule is rescaled
 *                            so the last timestep is pure noise. SD 1.x's own schedule keeps √ᾱ = 0.068 of the image
 *                            at t = 999, enough for a model to read colours and layout from the noise it is given —
 *                            which at sampling time is random.
 * @param lowerOrderFinal     diffusers' {@code lower_order_final} of the multistep solvers (DPM++ 2M, UniPC): the
 *                            last step (and for DPM++ 2M only with fewer than 15 steps) drops to first order, which
 *                            steadies few-step runs; default true, as in diffusers
 */
public record SchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        PredictionType predictionType,
        int stepsOffset,
        Boolean setAlphaToOne,
        TimestepSpacing timestepSpacing,
        boolean useKarrasSigmas,
        boolean rescaleBetasZeroSnr,
        boolean lowerOrderFinal) {

    /** Where the keys of this record are read from, for error messages. */
    private static final String FILE = "scheduler_config.json";

    /**
     * What ᾱ at the last timestep becomes under zero-terminal-SNR: diffusers' Euler and DPM-Solver schedulers use
     * 2⁻²⁴ instead of 0 so σ_max stays finite; every sampler here (and training) shares that value.
     */
    static final float ZERO_SNR_TERMINAL_ALPHA_CUMPROD = 0x1p-24f;

    /** Stable Diffusion 1.x's schedule, as its original (PNDM) file gives it: no spacing, so class defaults apply. */
    public static SchedulerConfig sd1() {
        return new SchedulerConfig(
                1000, 0.00085, 0.012, "scaled_linear", PredictionType.EPSILON, 1, false, null, false, false, true);
    }

    /** The config of a {@code scheduler_config.json}; keys it lacks take diffusers' defaults. */
    public static SchedulerConfig fromJson(JsonNode n) {
        SchedulerConfig d = sd1();
        double betaStart = Configs.positiveNumber(n, "beta_start", d.betaStart());
        double betaEnd = Configs.positiveNumber(n, "beta_end", d.betaEnd());
        if (betaEnd >= 1) {
            throw new EngineException("\"beta_end\" is " + betaEnd + "; expected a number below 1");
        }
        // validated as every config key is (one line with the key, the value and the choices), then made an enum
        String spacing = n.hasNonNull("timestep_spacing")
                ? Configs.choice(n, "timestep_spacing", null, "leading", "linspace", "trailing")
                : null;
        return new SchedulerConfig(
                Configs.positive(n, "num_train_timesteps", d.numTrainTimesteps()),
                betaStart,
                betaEnd,
                Configs.choice(n, "beta_schedule", d.betaSchedule(), "scaled_linear", "linear"),
                PredictionType.parse(
                        Configs.choice(n, "prediction_type", "epsilon", "epsilon", "v_prediction", "sample"),
                        FILE + ": prediction_type"),
                Configs.count(n, "steps_offset", 0),
                n.hasNonNull("set_alpha_to_one") ? Configs.bool(n, "set_alpha_to_one", true) : null,
                spacing == null ? null : TimestepSpacing.parse(spacing, FILE + ": timestep_spacing"),
                false,
                Configs.bool(n, "rescale_betas_zero_snr", false),
                Configs.bool(n, "lower_order_final", true));
    }

    /** An explicit spacing for whichever sampler uses this config (null: each sampler's class default). */
    public SchedulerConfig withSpacing(TimestepSpacing spacing) {
        return with(c -> c.timestepSpacing = spacing);
    }

    public SchedulerConfig withPredictionType(PredictionType type) {
        return with(c -> c.predictionType = type);
    }

    /** This config with Karras et al.'s sigma schedule on or off (for samplers that have one). */
    public SchedulerConfig withKarrasSigmas(boolean karras) {
        return with(c -> c.useKarrasSigmas = karras);
    }

    /** This schedule rescaled to zero terminal SNR (or not). */
    public SchedulerConfig withZeroTerminalSnr(boolean rescale) {
        return with(c -> c.rescaleBetasZeroSnr = rescale);
    }

    /** This config with diffusers' {@code lower_order_final} on or off (multistep solvers only). */
    public SchedulerConfig withLowerOrderFinal(boolean lower) {
        return with(c -> c.lowerOrderFinal = lower);
    }

    /** This config with one change made to a copy of its fields. */
    private SchedulerConfig with(Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return f.build();
    }

    /** The record's fields, mutable, so each {@code withX} names only the one it changes. */
    private static final class Fields {
        private final int numTrainTimesteps;
        private final double betaStart;
        private final double betaEnd;
        private final String betaSchedule;
        private PredictionType predictionType;
        private final int stepsOffset;
        private final Boolean setAlphaToOne;
        private TimestepSpacing timestepSpacing;
        private boolean useKarrasSigmas;
        private boolean rescaleBetasZeroSnr;
        private boolean lowerOrderFinal;

        Fields(SchedulerConfig c) {
            numTrainTimesteps = c.numTrainTimesteps;
            betaStart = c.betaStart;
            betaEnd = c.betaEnd;
            betaSchedule = c.betaSchedule;
            predictionType = c.predictionType;
            stepsOffset = c.stepsOffset;
            setAlphaToOne = c.setAlphaToOne;
            timestepSpacing = c.timestepSpacing;
            useKarrasSigmas = c.useKarrasSigmas;
            rescaleBetasZeroSnr = c.rescaleBetasZeroSnr;
            lowerOrderFinal = c.lowerOrderFinal;
        }

        SchedulerConfig build() {
            return new SchedulerConfig(
                    numTrainTimesteps,
                    betaStart,
                    betaEnd,
                    betaSchedule,
                    predictionType,
                    stepsOffset,
                    setAlphaToOne,
                    timestepSpacing,
                    useKarrasSigmas,
                    rescaleBetasZeroSnr,
                    lowerOrderFinal);
        }
    }

    /** The file's spacing, else the sampler class's default. */
    public TimestepSpacing spacingOr(TimestepSpacing classDefault) {
        return timestepSpacing != null ? timestepSpacing : classDefault;
    }

    /** The file's {@code set_alpha_to_one}, else the sampler class's default. */
    public boolean setAlphaToOneOr(boolean classDefault) {
        return setAlphaToOne != null ? setAlphaToOne : classDefault;
    }

    public boolean vPrediction() {
        return predictionType == PredictionType.V_PREDICTION;
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
            NDArray alphasCumprod =
                    m.ones(betas.getShape(), DataType.FLOAT32).sub(betas).cumProd(0);
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
        NDArray alphasBar =
                sqrtAlphasCumprod.sub(last).mul(first / (first - last)).square();
        NDArray alphas = NDArrays.concat(
                new NDList(alphasBar.get("0:1"), alphasBar.get("1:").div(alphasBar.get(":-1"))));
        return alphas.cumProd(0);
    }
}
