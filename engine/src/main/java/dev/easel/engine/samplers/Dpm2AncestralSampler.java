package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * DPM2 a, diffusers' {@code KDPM2AncestralDiscreteScheduler}: DPM2 towards σ_down of the ancestral split of each
 * step (midpoint between σ_k and σ_down), then fresh noise of σ_up. As in diffusers the noise is drawn at every UNet
 * call, in the generation's random order, and used at the second stage.
 */
public final class Dpm2AncestralSampler extends TwoStageSampler {

    private float[] down;
    private float[] up;

    public Dpm2AncestralSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "dpm2_a";
    }

    @Override
    protected boolean roundsScheduleTimesteps() {
        return true;
    }

    @Override
    protected float[] midSigmas(float[] base) {
        int n = base.length - 1;
        down = new float[n];
        up = new float[n];
        float[] mids = new float[n - 1];
        for (int k = 0; k < n; k++) {
            float s = base[k];
            float next = base[k + 1];
            // float32 as torch: up = (next²(s² − next²)/s²)^½, down = (next² − up²)^½
            float next2 = next * next;
            up[k] = (float) Math.sqrt(next2 * (s * s - next2) / (s * s));
            down[k] = (float) Math.sqrt(next2 - up[k] * up[k]);
            if (k < n - 1) {
                mids[k] = geometricMidpoint(s, down[k]);
            }
        }
        return mids;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int k = stepOf(index);
        float sigma = base[k];
        NDArray eps = noise.randn(modelOutput.getShape());
        try {
            if (firstStage(index)) {
                float mid = lastStep(k) ? 0f : sigmas[index + 1];
                rememberStart(sample);
                return eulerStep(sample, modelOutput, sample, sigma, mid - sigma);
            }
            float mid = sigmas[index];
            NDArray x = eulerStep(stepStart, modelOutput, sample, mid, down[k] - sigma);
            NDArray scaled = eps.mul(up[k]);
            NDArray out = x.add(scaled);
            x.close();
            scaled.close();
            return out;
        } finally {
            eps.close();
        }
    }
}
