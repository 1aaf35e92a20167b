package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/** Euler (Karras et al. 2022, Algorithm 2 without churn), diffusers' {@code EulerDiscreteScheduler}. */
public final class EulerSampler extends SigmaSampler {

    public EulerSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "euler";
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        float sigma = sigmas[index];
        NDArray x0 = predictX0(modelOutput, sample, sigma);
        NDArray d = derivative(sample, x0, sigma);
        x0.close();
        float dt = sigmas[index + 1] - sigma;
        NDArray step = d.mul(dt);
        NDArray prev = sample.add(step);
        d.close();
        step.close();
        return prev;
    }
}
