package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * DPM2 (DPM-Solver-2, Karras et al. 2022 Algorithm 2 with a log-space midpoint), diffusers'
 * {@code KDPM2DiscreteScheduler}: an Euler step to the geometric midpoint of σ_k and σ_k+1, the UNet there, and the
 * full step from σ_k with that midpoint's derivative. Deterministic.
 */
public final class Dpm2Sampler extends TwoStageSampler {

    public Dpm2Sampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "dpm2";
    }

    @Override
    protected boolean roundsScheduleTimesteps() {
        return true;
    }

    @Override
    protected float[] midSigmas(float[] base) {
        float[] mids = new float[base.length - 2];
        for (int k = 0; k < mids.length; k++) {
            mids[k] = geometricMidpoint(base[k + 1], base[k]);
        }
        return mids;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int k = stepOf(index);
        float sigma = base[k];
        if (firstStage(index)) {
            float mid = lastStep(k) ? 0f : sigmas[index + 1];
            rememberStart(sample);
            return eulerStep(sample, modelOutput, sample, sigma, mid - sigma);
        }
        float mid = sigmas[index];
        return eulerStep(stepStart, modelOutput, sample, mid, base[k + 1] - sigma);
    }
}
