package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Base of the k-diffusion style samplers (Euler, Euler a, Heun, LMS): sigmas σ(t) = √((1−ᾱ)/ᾱ) interpolated at
 * float timesteps, a final σ = 0, model input x/√(σ²+1), and init noise σmax (or √(σmax²+1) for "leading").
 */
abstract class SigmaSampler extends AbstractSampler {

    protected float[] sigmas;
    protected final SigmaSchedule schedule;
    private float initNoiseSigma;

    SigmaSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config);
        this.schedule = schedule == null ? SigmaSchedule.DEFAULT : schedule;
    }

    @Override
    public void setTimesteps(int steps, NDManager state) {
        this.state = state;
        this.numInferenceSteps = steps;
        TimestepSpacing spacing = spacing(TimestepSpacing.LINSPACE);
        // the Euler family does not round linspace timesteps (they reach the UNet as floats)
        double[] t = Schedules.toFloat32(
                spacing == TimestepSpacing.LINSPACE
                        ? Schedules.reverse(Schedules.linspace(0, config.numTrainTimesteps() - 1, steps))
                        : Schedules.spacedTimesteps(spacing, steps, config.numTrainTimesteps(), config.stepsOffset()));
        float[] train = Schedules.trainSigmas(alphasCumprod);
        double[] s = Schedules.interp(t, train);
        if (schedule != SigmaSchedule.DEFAULT) {
            // diffusers' use_karras_sigmas: from the default schedule's σmax to its σmin, timesteps read back
            s = schedule.sigmas(s[s.length - 1], s[0], steps);
            float[] logSigmas = Schedules.logs(train);
            t = new double[s.length];
            for (int i = 0; i < s.length; i++) {
                double ti = Schedules.sigmaToT(s[i], logSigmas);
                t[i] = (float) (roundsScheduleTimesteps() ? Math.rint(ti) : ti);
            }
        }
        sigmas = new float[s.length + 1];
        for (int i = 0; i < s.length; i++) {
            sigmas[i] = (float) s[i];
        }
        sigmas[s.length] = 0f;
        timesteps = t;
        float max = 0;
        for (float v : sigmas) {
            max = Math.max(max, v);
        }
        initNoiseSigma = spacing == TimestepSpacing.LEADING ? (float) Math.sqrt(max * max + 1f) : max;
        afterSetTimesteps();
    }

    /** Whether timesteps read back from Karras/exponential sigmas are rounded (diffusers' KDPM2 rounds them). */
    protected boolean roundsScheduleTimesteps() {
        return false;
    }

    /** Hook for samplers that reshape the schedule (Heun duplicates entries). */
    protected void afterSetTimesteps() {}

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        return initNoiseSigma;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int index) {
        float sigma = sigmas[index];
        return sample.div((float) Math.sqrt(sigma * sigma + 1f));
    }

    /** x0 from the model output at a sigma (a new array, whatever the prediction type). */
    protected NDArray predictX0(NDArray modelOutput, NDArray sample, float sigma) {
        if (config.vPrediction()) {
            float s2 = sigma * sigma + 1f;
            return lin(-sigma / (float) Math.sqrt(s2), modelOutput, 1f / s2, sample);
        }
        if (config.predictionType() == PredictionType.SAMPLE) {
            return modelOutput.duplicate();
        }
        NDArray scaled = modelOutput.mul(sigma);
        NDArray x0 = sample.sub(scaled);
        scaled.close();
        return x0;
    }

    /** (x − x0)/σ. */
    protected static NDArray derivative(NDArray sample, NDArray x0, float sigma) {
        NDArray d = sample.sub(x0);
        NDArray r = d.div(sigma);
        d.close();
        return r;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        NDArray n = noise.mul(sigmas[index]);
        NDArray r = original.add(n);
        n.close();
        return r;
    }
}
