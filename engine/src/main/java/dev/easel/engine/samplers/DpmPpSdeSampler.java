package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * DPM++ SDE (k-diffusion's {@code sample_dpmpp_sde} with η = 1, r = ½; A1111's "DPM++ SDE", diffusers'
 * {@code DPMSolverSDEScheduler}): a stochastic single-step second-order DPM-Solver++ — an ancestral step to the
 * log-space midpoint, the UNet there, then an ancestral step from σ_k to σ_k+1 using the midpoint's prediction.
 *
 * <p>The web UIs draw this sampler's noise from a Brownian tree (torchsde), whose numbers no other library
 * reproduces. Here the same Brownian motion is built from the generation's random order: a normal draw for the
 * increment σ_k → midpoint at the first stage and one for midpoint → σ_k+1 at the second, the second stage's noise
 * being the normalised increment over the whole step, as the tree gives it. Same distribution, same seed semantics
 * as the other stochastic samplers, but not the web UIs' numbers.
 */
public final class DpmPpSdeSampler extends TwoStageSampler {

    private NDArray firstIncrement;

    public DpmPpSdeSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "dpmpp_sde";
    }

    @Override
    protected float[] midSigmas(float[] base) {
        float[] mids = new float[base.length - 2];
        for (int k = 0; k < mids.length; k++) {
            mids[k] = (float) Math.sqrt((double) base[k] * base[k + 1]);
        }
        return mids;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int k = stepOf(index);
        float sigma = base[k];
        if (firstStage(index)) {
            if (lastStep(k)) {
                return eulerStep(sample, modelOutput, sample, sigma, -sigma);
            }
            float mid = sigmas[index + 1];
            rememberStart(sample);
            float[] split = ancestral(sigma, mid);
            NDArray x0 = predictX0(modelOutput, sample, sigma);
            NDArray z1 = keep(noise.randn(sample.getShape()));
            if (firstIncrement != null) {
                firstIncrement.close();
            }
            firstIncrement = z1;
            // x₂ = (σd/σ)·x − (σd/σ − 1)·x0 + σu·z₁
            NDArray x2 = lin3(split[0] / sigma, sample, -(split[0] / sigma - 1f), x0, split[1], z1);
            x0.close();
            return x2;
        }
        float mid = sigmas[index];
        float next = base[k + 1];
        float[] split = ancestral(sigma, next);
        NDArray x0 = predictX0(modelOutput, sample, mid);
        NDArray z2 = noise.randn(sample.getShape());
        // the tree's normalised increment over [σ_k+1, σ_k] from its two halves [mid, σ_k] and [σ_k+1, mid]
        double d1 = sigma - mid;
        double d2 = mid - next;
        double whole = Math.sqrt(d1 + d2);
        NDArray n2 = lin((float) (Math.sqrt(d1) / whole), firstIncrement, (float) (Math.sqrt(d2) / whole), z2);
        z2.close();
        NDArray x = lin3(split[0] / sigma, stepStart, -(split[0] / sigma - 1f), x0, split[1], n2);
        x0.close();
        n2.close();
        return x;
    }
}
