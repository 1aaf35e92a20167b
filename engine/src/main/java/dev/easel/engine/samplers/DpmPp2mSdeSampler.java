package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * DPM-Solver++(2M) SDE, diffusers' {@code DPMSolverMultistepScheduler} with {@code algorithm_type="sde-dpmsolver++"}
 * (midpoint, order 2, lower order at the ends as {@link DpmPp2mSampler}): each step decays the sample by e^{−h},
 * moves towards the data prediction by α_t(1 − e^{−2h}) and adds fresh noise σ_t√(1 − e^{−2h}). The noise is drawn
 * every step, before the update, in the generation's random order (diffusers draws it from the pipeline's generator
 * at the same point).
 */
public final class DpmPp2mSdeSampler extends DpmPp2mSampler {

    public DpmPp2mSdeSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "dpmpp_2m_sde";
    }

    @Override
    protected NDArray stepNoise(NDArray modelOutput, Noise noise) {
        return noise.randn(modelOutput.getShape());
    }

    @Override
    protected NDArray update(
            NDArray sample, NDArray x0, NDArray d1, NDArray eps, float sigmaS0, float sigmaT, float h) {
        float alphaT = alpha(sigmaT);
        float sT = sigmaT * alphaT;
        float sS0 = sigmaS0 * alpha(sigmaS0);
        float decay = (float) Math.exp(-h);
        float towards = alphaT * (1f - (float) Math.exp(-2.0f * h));
        float noiseScale = sT * (float) Math.sqrt(1f - (float) Math.exp(-2f * h));
        NDArray out = lin(sT / sS0 * decay, sample, towards, x0);
        if (d1 != null) {
            NDArray corr = d1.mul(0.5f * towards);
            NDArray withCorr = out.add(corr);
            out.close();
            corr.close();
            out = withCorr;
        }
        NDArray n = eps.mul(noiseScale);
        NDArray result = out.add(n);
        out.close();
        n.close();
        return result;
    }
}
