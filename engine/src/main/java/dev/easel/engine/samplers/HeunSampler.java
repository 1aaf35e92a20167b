package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * Heun's second-order method (Karras et al. 2022, Algorithm 1), diffusers' {@code HeunDiscreteScheduler}: every
 * step but the last costs two UNet calls, so the timestep list repeats each interior entry.
 */
public final class HeunSampler extends SigmaSampler {

    private NDArray prevDerivative;
    private NDArray prevSample;
    private float dt = Float.NaN;

    public HeunSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "heun";
    }

    @Override
    public int order() {
        return 2;
    }

    @Override
    protected void afterSetTimesteps() {
        // sigmas: [s0, s1, s1, s2, s2, …, 0]; timesteps: [t0, t1, t1, t2, t2, …]
        int n = sigmas.length - 1;
        float[] s = new float[2 * n];
        double[] t = new double[2 * n - 1];
        s[0] = sigmas[0];
        t[0] = timesteps[0];
        for (int i = 1; i < n; i++) {
            s[2 * i - 1] = sigmas[i];
            s[2 * i] = sigmas[i];
            t[2 * i - 1] = timesteps[i];
            t[2 * i] = timesteps[i];
        }
        s[2 * n - 1] = sigmas[n];
        sigmas = s;
        timesteps = t;
        prevDerivative = null;
        prevSample = null;
        dt = Float.NaN;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        boolean firstOrder = Float.isNaN(dt);
        float sigma;
        float sigmaNext;
        if (firstOrder) {
            sigma = sigmas[index];
            sigmaNext = sigmas[index + 1];
        } else {
            sigma = sigmas[index - 1];
            sigmaNext = sigmas[index];
        }
        if (firstOrder) {
            NDArray x0 = predictX0(modelOutput, sample, sigma);
            NDArray d = derivative(sample, x0, sigma);
            x0.close();
            dt = sigmaNext - sigma;
            prevDerivative = keep(d);
            prevSample = keep(sample.duplicate());
            NDArray step = d.mul(dt);
            NDArray out = sample.add(step);
            step.close();
            if (sigmaNext == 0f) {
                // last step: nothing to correct; reset for a reused instance
                dt = Float.NaN;
            }
            return out;
        }
        NDArray x0 = predictX0(modelOutput, sample, sigmaNext);
        NDArray d2 = derivative(sample, x0, sigmaNext);
        x0.close();
        NDArray sum = prevDerivative.add(d2);
        NDArray avg = sum.div(2f);
        sum.close();
        d2.close();
        NDArray step = avg.mul(dt);
        NDArray out = prevSample.add(step);
        step.close();
        avg.close();
        prevDerivative.close();
        prevSample.close();
        prevDerivative = null;
        prevSample = null;
        dt = Float.NaN;
        return out;
    }
}
