package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * DPM-Solver++(2M) (Lu et al. 2022), diffusers' {@code DPMSolverMultistepScheduler} with
 * {@code algorithm_type="dpmsolver++"}, {@code solver_order=2}, midpoint solver: first order at the first step
 * (and, with {@code lower_order_final} as by default, at the last when fewer than 15 steps), second order otherwise.
 * The Karras schedule gives "DPM++ 2M Karras".
 */
public class DpmPp2mSampler extends DpmSolverSampler {

    private NDArray prevX0;
    private int lowerOrderNums;

    public DpmPp2mSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return schedule == SigmaSchedule.KARRAS ? "dpmpp_2m_karras" : "dpmpp_2m";
    }

    @Override
    protected void reset() {
        prevX0 = null;
        lowerOrderNums = 0;
    }

    /** The noise this step adds (null for the deterministic solver); drawn before the update, as diffusers does. */
    protected NDArray stepNoise(NDArray modelOutput, Noise noise) {
        return null;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int n = timesteps.length;
        boolean lowerOrderFinal = config.lowerOrderFinal() && index == n - 1 && n < 15;
        NDArray x0 = keep(convert(modelOutput, sample, index));
        NDArray eps = stepNoise(modelOutput, noise);
        float sigmaT = sigmas[index + 1];
        float sigmaS0 = sigmas[index];
        float h = lambda(sigmaT) - lambda(sigmaS0);
        NDArray d1 = null;
        if (!(lowerOrderNums < 1 || lowerOrderFinal || prevX0 == null)) {
            // D1 = (1/r0)(m0 − m1) with r0 = h0/h
            float r0 = (lambda(sigmaS0) - lambda(sigmas[index - 1])) / h;
            NDArray diff = x0.sub(prevX0);
            d1 = diff.mul(1f / r0);
            diff.close();
        }
        NDArray out = update(sample, x0, d1, eps, sigmaS0, sigmaT, h);
        if (d1 != null) {
            d1.close();
        }
        if (eps != null) {
            eps.close();
        }
        if (prevX0 != null) {
            prevX0.close();
        }
        prevX0 = x0;
        if (lowerOrderNums < 2) {
            lowerOrderNums++;
        }
        return out;
    }

    /**
     * One update from σ_s0 to σ_t: first order when {@code d1} is null, else the midpoint second-order update.
     * x_t = (σ_t/σ_s0)·x − α_t(e^{−h}−1)·D0 − ½α_t(e^{−h}−1)·D1.
     */
    protected NDArray update(
            NDArray sample, NDArray x0, NDArray d1, NDArray eps, float sigmaS0, float sigmaT, float h) {
        float alphaT = alpha(sigmaT);
        float sT = sigmaT * alphaT;
        float sS0 = sigmaS0 * alpha(sigmaS0);
        float expm = (float) Math.exp(-h) - 1f;
        NDArray first = lin(sT / sS0, sample, -(alphaT * expm), x0);
        if (d1 == null) {
            return first;
        }
        NDArray corr = d1.mul(0.5f * (alphaT * expm));
        NDArray out = first.sub(corr);
        first.close();
        corr.close();
        return out;
    }
}
