package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * DDIM (Song et al. 2021), diffusers' {@code DDIMScheduler}: deterministic at eta 0, adds fresh noise scaled by
 * eta·σ_t otherwise. Default spacing "leading" with steps_offset.
 */
public final class DdimSampler extends AbstractSampler {

    private final float eta;
    private final float finalAlphaCumprod;

    public DdimSampler(SchedulerConfig config, double eta) {
        super(config);
        this.eta = (float) eta;
        this.finalAlphaCumprod = config.setAlphaToOneOr(true) ? 1f : alphasCumprod[0];
    }

    @Override
    public String id() {
        return "ddim";
    }

    @Override
    public void setTimesteps(int steps, NDManager state) {
        this.state = state;
        this.numInferenceSteps = steps;
        timesteps = Schedules.spacedTimesteps(
                spacing(TimestepSpacing.LEADING), steps, config.numTrainTimesteps(), config.stepsOffset());
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int t = (int) timesteps[index];
        int prev = t - config.numTrainTimesteps() / numInferenceSteps;
        float alphaProdT = alphasCumprod[t];
        float alphaProdPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;
        NDArray predX0;
        NDArray predEps;
        if (config.vPrediction()) {
            predX0 = lin((float) Math.sqrt(alphaProdT), sample, -(float) Math.sqrt(betaProdT), modelOutput);
            predEps = lin((float) Math.sqrt(alphaProdT), modelOutput, (float) Math.sqrt(betaProdT), sample);
        } else if (config.predictionType() == PredictionType.SAMPLE) {
            predX0 = modelOutput;
            // ε = (x_t − √ᾱ_t·x0)/√(1−ᾱ_t)
            predEps = lin(
                    1f / (float) Math.sqrt(betaProdT),
                    sample,
                    -(float) Math.sqrt(alphaProdT) / (float) Math.sqrt(betaProdT),
                    modelOutput);
        } else {
            NDArray scaled = modelOutput.mul((float) Math.sqrt(betaProdT));
            NDArray diff = sample.sub(scaled);
            predX0 = diff.div((float) Math.sqrt(alphaProdT));
            scaled.close();
            diff.close();
            predEps = modelOutput;
        }
        float betaProdPrev = 1f - alphaProdPrev;
        float variance = (betaProdPrev / betaProdT) * (1f - alphaProdT / alphaProdPrev);
        float std = eta * (float) Math.sqrt(variance);
        NDArray dir = predEps.mul((float) Math.sqrt(1f - alphaProdPrev - std * std));
        NDArray a = predX0.mul((float) Math.sqrt(alphaProdPrev));
        NDArray prevSample = a.add(dir);
        a.close();
        dir.close();
        if (eta > 0) {
            NDArray eps = noise.randn(modelOutput.getShape());
            NDArray scaledNoise = eps.mul(std);
            NDArray withNoise = prevSample.add(scaledNoise);
            prevSample.close();
            scaledNoise.close();
            eps.close();
            prevSample = withNoise;
        }
        return prevSample;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        return addNoiseAtTimestep(original, noise, (int) timesteps[index]);
    }
}
