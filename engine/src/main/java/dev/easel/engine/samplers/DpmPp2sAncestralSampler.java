package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * DPM++ 2S a (k-diffusion's {@code sample_dpmpp_2s_ancestral}, A1111's "DPM++ 2S a"; diffusers has no such
 * scheduler): per step the ancestral split σ_k → (σ_down, σ_up), a single-step second-order DPM-Solver++ from σ_k to
 * σ_down through the log-space midpoint, then fresh noise of σ_up, drawn once per step in the generation's random
 * order. The last step is an Euler step to σ = 0.
 */
public final class DpmPp2sAncestralSampler extends TwoStageSampler {

    private float[] down;
    private float[] up;

    public DpmPp2sAncestralSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "dpmpp_2s_a";
    }

    @Override
    protected float[] midSigmas(float[] base) {
        int n = base.length - 1;
        down = new float[n];
        up = new float[n];
        float[] mids = new float[n - 1];
        for (int k = 0; k < n; k++) {
            float[] split = ancestral(base[k], base[k + 1]);
            down[k] = split[0];
            up[k] = split[1];
            if (k < n - 1) {
                // s = t + h/2 in t = −log σ: the geometric mean of σ_k and σ_down
                mids[k] = (float) Math.sqrt((double) base[k] * down[k]);
            }
        }
        return mids;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int k = stepOf(index);
        float sigma = base[k];
        if (firstStage(index)) {
            if (lastStep(k)) {
                return eulerStep(sample, modelOutput, sample, sigma, down[k] - sigma);
            }
            float mid = sigmas[index + 1];
            rememberStart(sample);
            NDArray x0 = predictX0(modelOutput, sample, sigma);
            // x₂ = (σ_s/σ)·x − (e^{−h/2} − 1)·x0
            double h = Math.log(sigma) - Math.log(down[k]);
            NDArray x2 = lin(mid / sigma, sample, (float) -Math.expm1(-h * 0.5), x0);
            x0.close();
            return x2;
        }
        float mid = sigmas[index];
        double h = Math.log(sigma) - Math.log(down[k]);
        NDArray x0 = predictX0(modelOutput, sample, mid);
        NDArray x = lin(down[k] / sigma, stepStart, (float) -Math.expm1(-h), x0);
        x0.close();
        NDArray eps = noise.randn(sample.getShape());
        NDArray out = lin(1f, x, up[k], eps);
        x.close();
        eps.close();
        return out;
    }
}
