package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Shared state of the samplers: config, ᾱ schedule, the chosen timesteps and a manager for kept arrays. */
abstract class AbstractSampler implements Sampler {

    protected final SchedulerConfig config;
    protected final float[] alphasCumprod;
    protected double[] timesteps;
    protected NDManager state;
    protected int numInferenceSteps;

    AbstractSampler(SchedulerConfig config) {
        this.config = config;
        this.alphasCumprod = config.alphasCumprod();
    }

    /** The spacing from the config, else this sampler's diffusers class default. */
    protected TimestepSpacing spacing(TimestepSpacing classDefault) {
        return config.spacingOr(classDefault);
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    /** Keeps an array alive across steps (attached to the generation's state manager). */
    protected NDArray keep(NDArray a) {
        if (state != null) {
            a.attach(state);
        }
        return a;
    }

    /** a·x + b·y. */
    protected static NDArray lin(float a, NDArray x, float b, NDArray y) {
        NDArray ax = x.mul(a);
        NDArray by = y.mul(b);
        NDArray r = ax.add(by);
        ax.close();
        by.close();
        return r;
    }

    /** DDPM forward noising: √ᾱ_t·x + √(1−ᾱ_t)·ε at an integer timestep. */
    protected NDArray addNoiseAtTimestep(NDArray original, NDArray noise, int t) {
        float a = alphasCumprod[t];
        return lin((float) Math.sqrt(a), original, (float) Math.sqrt(1f - a), noise);
    }
}
