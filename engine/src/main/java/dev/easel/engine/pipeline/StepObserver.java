package dev.easel.engine.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * Sees the arrays of every denoising step (for previews and step-by-step comparisons). The arrays are freed after
 * the call returns: copy what you keep.
 */
@FunctionalInterface
public interface StepObserver {

    /**
     * @param index index into the sampler's timesteps
     * @param timestep the timestep given to the UNet
     * @param modelInput the scaled UNet input (CFG-batched)
     * @param modelOutput the raw UNet output (CFG-batched)
     * @param latents the latents after the sampler step
     */
    void onStep(int index, double timestep, NDArray modelInput, NDArray modelOutput, NDArray latents);
}
