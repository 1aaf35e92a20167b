package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;
import java.util.ArrayList;
import java.util.List;

/**
 * PNDM with PLMS steps only ({@code skip_prk_steps}, as Stable Diffusion configures it), diffusers'
 * {@code PNDMScheduler}: linear multistep on ε with Adams–Bashforth weights; the second timestep is visited twice.
 */
public final class PndmSampler extends AbstractSampler {

    private final float finalAlphaCumprod;
    private final List<NDArray> ets = new ArrayList<>();
    private int counter;
    private NDArray curSample;

    public PndmSampler(SchedulerConfig config) {
        super(config);
        if (config.predictionType() == PredictionType.SAMPLE) {
            // as diffusers' PNDMScheduler: its update needs ε, which a sample prediction does not give back exactly
            throw new EngineException("PLMS does not support prediction_type sample; choose DDIM, Euler or DPM++ 2M");
        }
        this.finalAlphaCumprod = config.setAlphaToOneOr(false) ? 1f : alphasCumprod[0];
    }

    @Override
    public String id() {
        return "pndm";
    }

    @Override
    public void setTimesteps(int steps, NDManager state) {
        this.state = state;
        this.numInferenceSteps = steps;
        TimestepSpacing spacing = spacing(TimestepSpacing.LEADING);
        double[] base;
        if (spacing == TimestepSpacing.LINSPACE) {
            base = Schedules.round(Schedules.linspace(0, config.numTrainTimesteps() - 1, steps));
        } else {
            base = Schedules.reverse(
                    Schedules.spacedTimesteps(spacing, steps, config.numTrainTimesteps(), config.stepsOffset()));
        }
        // plms: concat(t[:-1], t[-2:-1], t[-1:])[::-1]
        int n = base.length;
        double[] plms = new double[n + 1];
        System.arraycopy(base, 0, plms, 0, n - 1);
        plms[n - 1] = n >= 2 ? base[n - 2] : base[0];
        plms[n] = base[n - 1];
        if (n < 2) {
            plms = new double[] {base[0]};
        }
        timesteps = Schedules.reverse(plms);
        ets.clear();
        counter = 0;
        curSample = null;
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        int ratio = config.numTrainTimesteps() / numInferenceSteps;
        int t = (int) timesteps[index];
        int prev = t - ratio;
        if (counter != 1) {
            while (ets.size() > 3) {
                ets.remove(0).close();
            }
            ets.add(keep(modelOutput.duplicate()));
        } else {
            prev = t;
            t = t + ratio;
        }
        NDArray eps;
        int k = ets.size();
        if (k == 1 && counter == 0) {
            eps = modelOutput;
            curSample = keep(sample.duplicate());
        } else if (k == 1 && counter == 1) {
            NDArray s = modelOutput.add(ets.get(0));
            eps = s.div(2f);
            s.close();
            sample = curSample;
        } else if (k == 2) {
            eps = lin(1.5f, ets.get(1), -0.5f, ets.get(0));
        } else if (k == 3) {
            NDArray a = lin(23f / 12, ets.get(2), -16f / 12, ets.get(1));
            NDArray c = ets.get(0).mul(5f / 12);
            eps = a.add(c);
            a.close();
            c.close();
        } else {
            NDArray a = lin(55f / 24, ets.get(k - 1), -59f / 24, ets.get(k - 2));
            NDArray c = lin(37f / 24, ets.get(k - 3), -9f / 24, ets.get(k - 4));
            eps = a.add(c);
            a.close();
            c.close();
        }
        NDArray out = prevSample(sample, t, prev, eps);
        counter++;
        return out;
    }

    private NDArray prevSample(NDArray sample, int t, int prev, NDArray eps) {
        float aT = alphasCumprod[t];
        float aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        float bT = 1f - aT;
        float bPrev = 1f - aPrev;
        NDArray e = eps;
        if (config.vPrediction()) {
            e = lin((float) Math.sqrt(aT), eps, (float) Math.sqrt(bT), sample);
        }
        float sampleCoeff = (float) Math.sqrt(aPrev / aT);
        float denom = aT * (float) Math.sqrt(bPrev) + (float) Math.sqrt(aT * bT * aPrev);
        return lin(sampleCoeff, sample, -(aPrev - aT) / denom, e);
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        return addNoiseAtTimestep(original, noise, (int) timesteps[index]);
    }
}
