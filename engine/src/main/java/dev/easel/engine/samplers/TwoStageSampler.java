package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * Base of the samplers that call the UNet twice per step, once at the step's sigma and once at a sigma between it
 * and the next (DPM2, DPM2 a, DPM++ SDE, DPM++ 2S a); the last step, which ends at σ = 0, has only the first call.
 * The calls' sigmas are σ0, m0, σ1, m1, …, σ(n−1): call 2k is step k's first stage, call 2k+1 its second, so
 * img2img's start at {@code t_start · order} lands on a first stage.
 */
abstract class TwoStageSampler extends SigmaSampler {

    /** The step sigmas σ0 … σ(n−1), 0. */
    protected float[] base;
    /** The sample at the start of the current step. */
    protected NDArray stepStart;

    TwoStageSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    /** The second-stage sigma of each step but the last (n−1 values, from the step sigmas σ0 … σ(n−1), 0). */
    protected abstract float[] midSigmas(float[] base);

    @Override
    public int order() {
        return 2;
    }

    @Override
    protected final void afterSetTimesteps() {
        base = sigmas;
        int n = base.length - 1;
        float[] mids = midSigmas(base);
        float[] logSigmas = Schedules.logs(Schedules.trainSigmas(alphasCumprod));
        float[] calls = new float[2 * n];
        double[] t = new double[2 * n - 1];
        for (int k = 0; k < n; k++) {
            calls[2 * k] = base[k];
            t[2 * k] = timesteps[k];
            if (k < n - 1) {
                calls[2 * k + 1] = mids[k];
                t[2 * k + 1] = (float) Schedules.sigmaToT(mids[k], logSigmas);
            }
        }
        calls[2 * n - 1] = 0f;
        sigmas = calls;
        timesteps = t;
        if (stepStart != null) {
            stepStart.close();
        }
        stepStart = null;
    }

    /** The step a call belongs to. */
    protected static int stepOf(int call) {
        return call / 2;
    }

    /** Whether a call is a step's first stage. */
    protected static boolean firstStage(int call) {
        return call % 2 == 0;
    }

    /** Whether step {@code k} is the last (one call, down to σ = 0). */
    protected boolean lastStep(int k) {
        return k == base.length - 2;
    }

    /** Remembers the sample a step started from, for its second stage. */
    protected void rememberStart(NDArray sample) {
        if (stepStart != null) {
            stepStart.close();
        }
        stepStart = keep(sample.duplicate());
    }

    /** x + d·dt with d = (x − x0)/σ, x0 predicted from the model output at σ. */
    protected NDArray eulerStep(NDArray from, NDArray modelOutput, NDArray sample, float sigma, float dt) {
        NDArray x0 = predictX0(modelOutput, sample, sigma);
        NDArray d = derivative(sample, x0, sigma);
        x0.close();
        NDArray step = d.mul(dt);
        NDArray out = from.add(step);
        step.close();
        d.close();
        return out;
    }

    /** log-space midpoint exp(lerp(log a, log b, ½)) in float32, as torch computes it; 0 when either is 0. */
    protected static float geometricMidpoint(float a, float b) {
        if (a == 0f || b == 0f) {
            return 0f;
        }
        float la = (float) Math.log(a);
        float lb = (float) Math.log(b);
        return (float) Math.exp(lb - (lb - la) * 0.5f);
    }

    /** k-diffusion's ancestral split of a step σ_from → σ_to: {σ_down, σ_up} (eta 1). */
    protected static float[] ancestral(float sigmaFrom, float sigmaTo) {
        float up = (float) Math.min(
                sigmaTo,
                Math.sqrt((double) sigmaTo
                        * sigmaTo
                        * ((double) sigmaFrom * sigmaFrom - (double) sigmaTo * sigmaTo)
                        / ((double) sigmaFrom * sigmaFrom)));
        float down = (float) Math.sqrt(Math.max(0, (double) sigmaTo * sigmaTo - (double) up * up));
        return new float[] {down, up};
    }

    /** a·x + b·y + c·z. */
    protected static NDArray lin3(float a, NDArray x, float b, NDArray y, float c, NDArray z) {
        NDArray xy = lin(a, x, b, y);
        NDArray cz = z.mul(c);
        NDArray out = xy.add(cz);
        xy.close();
        cz.close();
        return out;
    }
}
