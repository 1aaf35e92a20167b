package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * Euler a: an Euler step down to σ_down followed by fresh noise of σ_up (diffusers'
 * {@code EulerAncestralDiscreteScheduler}); the noise is drawn each step in the generation's random order.
 */
public final class EulerAncestralSampler extends SigmaSampler {

    public EulerAncestralSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "euler_a";
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        float sigmaFrom = sigmas[index];
        float sigmaTo = sigmas[index + 1];
        NDArray x0 = predictX0(modelOutput, sample, sigmaFrom);
        float sigmaUp = (float)
                Math.sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo) / (sigmaFrom * sigmaFrom));
        float sigmaDown = (float) Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
        NDArray d = derivative(sample, x0, sigmaFrom);
        x0.close();
        NDArray step = d.mul(sigmaDown - sigmaFrom);
        NDArray prev = sample.add(step);
        d.close();
        step.close();
        NDArray eps = noise.randn(modelOutput.getShape());
        NDArray scaled = eps.mul(sigmaUp);
        NDArray out = prev.add(scaled);
        prev.close();
        scaled.close();
        eps.close();
        return out;
    }
}
