package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A diffusion sampler (diffusers calls them schedulers): it fixes the timesteps for a number of steps and turns
 * each UNet prediction into the next latents. Stateful (multistep samplers remember earlier predictions), so use
 * one instance per generation, after {@link #setTimesteps}.
 */
public interface Sampler {

    /** Draws standard normal noise of a shape, in the generation's random order. */
    @FunctionalInterface
    interface Noise {
        NDArray randn(Shape shape);
    }

    /** Short id, e.g. {@code euler_a}. */
    String id();

    /** Prepares the schedule for {@code steps} steps; kept state lives in {@code state}. */
    void setTimesteps(int steps, NDManager state);

    /** The timestep passed to the UNet at each call (length = number of UNet calls). */
    double[] timesteps();

    /** The sigmas of sigma-based samplers (one more than the steps), or null. */
    default float[] sigmas() {
        return null;
    }

    /** Factor applied to N(0,1) initial latents. */
    float initNoiseSigma();

    /** Number of UNet calls per step (img2img skips {@code t_start * order} entries). */
    default int order() {
        return 1;
    }

    /** Scales the UNet input at call {@code index} (Euler-type: x/√(σ²+1)). */
    default NDArray scaleModelInput(NDArray sample, int index) {
        return sample;
    }

    /** One step from {@code sample} with the (guided) model output at call {@code index}. */
    NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise);

    /** Noises clean latents to the level of call {@code index} (img2img). */
    NDArray addNoise(NDArray original, NDArray noise, int index);
}
