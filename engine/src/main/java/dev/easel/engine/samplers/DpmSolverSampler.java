package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.LinkedHashSet;

/**
 * Base of the multistep DPM-Solver family (DPM++ 2M, UniPC): integer timesteps from
 * {@code linspace(0, T−1, n+1)} (last dropped), sigmas interpolated at them, the final sigma √((1−ᾱ₀)/ᾱ₀) — or
 * Karras (or exponential) sigmas with the last one repeated — and data (x0) predictions as the model's converted output.
 */
abstract class DpmSolverSampler extends AbstractSampler {

    protected final SigmaSchedule schedule;
    protected float[] sigmas;

    DpmSolverSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config);
        this.schedule = schedule == null ? SigmaSchedule.DEFAULT : schedule;
    }

    @Override
    public void setTimesteps(int steps, NDManager state) {
        this.state = state;
        int trainSteps = config.numTrainTimesteps();
        double[] t;
        switch (spacing(TimestepSpacing.LINSPACE)) {
            case LINSPACE: {
                double[] l = Schedules.reverse(Schedules.round(Schedules.linspace(0, trainSteps - 1, steps + 1)));
                t = Arrays.copyOf(l, steps);
                break;
            }
            case LEADING: {
                int ratio = trainSteps / (steps + 1);
                t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    t[i] = (double) (steps - i) * ratio + config.stepsOffset();
                }
                break;
            }
            case TRAILING:
                t = Schedules.spacedTimesteps(TimestepSpacing.TRAILING, steps, trainSteps, 0);
                break;
            default:
                throw new IllegalStateException("unhandled spacing " + config.timestepSpacing());
        }
        float[] train = Schedules.trainSigmas(alphasCumprod);
        if (schedule != SigmaSchedule.DEFAULT) {
            float[] logSigmas = Schedules.logs(train);
            double[] ks = schedule.sigmas(train[0], train[train.length - 1], steps);
            sigmas = new float[steps + 1];
            for (int i = 0; i < steps; i++) {
                sigmas[i] = (float) ks[i];
                t[i] = Math.rint(Schedules.sigmaToT(ks[i], logSigmas));
            }
            sigmas[steps] = sigmas[steps - 1];
        } else {
            double[] s = Schedules.interp(t, train);
            sigmas = new float[steps + 1];
            for (int i = 0; i < steps; i++) {
                sigmas[i] = (float) s[i];
            }
            sigmas[steps] = (float) Math.sqrt((1 - alphasCumprod[0]) / alphasCumprod[0]);
        }
        // drop duplicate timesteps (possible when steps approach the training steps), keeping first occurrences
        LinkedHashSet<Double> unique = new LinkedHashSet<>();
        for (double v : t) {
            unique.add(v);
        }
        timesteps = unique.stream().mapToDouble(Double::doubleValue).toArray();
        numInferenceSteps = timesteps.length;
        reset();
    }

    /** Clears the multistep history. */
    protected abstract void reset();

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    /** α_t = 1/√(σ²+1). */
    protected static float alpha(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    /** λ = log α − log σ_t with σ_t = σ·α. */
    protected static float lambda(float sigma) {
        float a = alpha(sigma);
        float s = sigma * a;
        return (float) Math.log(a) - (float) Math.log(s);
    }

    /** The data prediction x0 from the model output at call {@code index}. */
    protected NDArray convert(NDArray modelOutput, NDArray sample, int index) {
        float sigma = sigmas[index];
        float a = alpha(sigma);
        float s = sigma * a;
        if (config.vPrediction()) {
            return lin(a, sample, -s, modelOutput);
        }
        if (config.predictionType() == PredictionType.SAMPLE) {
            return modelOutput.duplicate();
        }
        NDArray scaled = modelOutput.mul(s);
        NDArray diff = sample.sub(scaled);
        NDArray x0 = diff.div(a);
        scaled.close();
        diff.close();
        return x0;
    }

    /** α·x + σ_t·ε at the sigma of call {@code index} (diffusers 0.25's sigma-based add_noise). */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        float sigma = sigmas[index];
        float a = alpha(sigma);
        return lin(a, original, sigma * a, noise);
    }
}
