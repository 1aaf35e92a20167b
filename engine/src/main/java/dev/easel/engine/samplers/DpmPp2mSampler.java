package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * DPM-Solver++(2M) (Lu et al. 2022), diffusers' {@code DPMSolverMultistepScheduler} with
 * {@code algorithm_type="dpmsolver++"}, {@code solver_order=2}, midpoint solver, {@code lower_order_final}:
 * first order at the first step (and at the last when fewer than 15 steps), second order otherwise.
 * With {@code use_karras_sigmas} it is "DPM++ 2M Karras".
 */
public final class DpmPp2mSampler extends DpmSolverSampler {

    private NDArray prevX0;
    private int lowerOrderNums;

    public DpmPp2mSampler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public String id() {
        return karras ? "dpmpp_2m_karras" : "dpmpp_2m";
    }

    @Override
    protected void reset() {
        prevX0 = null;
        lowerOrderNums = 0;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int n = timesteps.length;
        boolean lowerOrderFinal = index == n - 1 && n < 15;
        NDArray x0 = keep(convert(modelOutput, sample, index));
        float sigmaT = sigmas[index + 1];
        float sigmaS0 = sigmas[index];
        float alphaT = alpha(sigmaT);
        float sT = sigmaT * alphaT;
        float sS0 = sigmaS0 * alpha(sigmaS0);
        float lambdaT = lambda(sigmaT);
        float lambdaS0 = lambda(sigmaS0);
        float h = lambdaT - lambdaS0;
        float expm = (float) Math.exp(-h) - 1f;
        NDArray out;
        if (lowerOrderNums < 1 || lowerOrderFinal || prevX0 == null) {
            out = lin(sT / sS0, sample, -(alphaT * expm), x0);
        } else {
            float sigmaS1 = sigmas[index - 1];
            float lambdaS1 = lambda(sigmaS1);
            float h0 = lambdaS0 - lambdaS1;
            float r0 = h0 / h;
            // D1 = (1/r0)(m0 − m1); x = (σt/σs0)x − αt(e^{−h}−1)D0 − ½αt(e^{−h}−1)D1
            NDArray diff = x0.sub(prevX0);
            NDArray d1 = diff.mul(1f / r0);
            diff.close();
            NDArray first = lin(sT / sS0, sample, -(alphaT * expm), x0);
            NDArray corr = d1.mul(0.5f * (alphaT * expm));
            out = first.sub(corr);
            first.close();
            corr.close();
            d1.close();
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
}
