package dev.easel.engine.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * Told after every denoising step (UNet call and sampler step), on the generating thread — for progress bars,
 * previews and step-by-step comparisons, as diffusers' {@code callback_on_step_end}.
 */
@FunctionalInterface
public interface StepCallback {

    StepCallback NONE = step -> {};

    void onStep(Step step);

    /**
     * One finished step. The arrays are freed after the callback returns: copy what you keep.
     *
     * @param index index into the sampler's timesteps (img2img starts past 0)
     * @param timestep the timestep given to the UNet
     * @param done steps done in this generation (1-based)
     * @param total steps this generation runs
     * @param elapsedMillis time since the generation started
     * @param modelInput the scaled UNet input (CFG-batched)
     * @param modelOutput the raw UNet output (CFG-batched)
     * @param latents the latents after the sampler step
     */
    record Step(
            int index,
            double timestep,
            int done,
            int total,
            long elapsedMillis,
            NDArray modelInput,
            NDArray modelOutput,
            NDArray latents) {}
}
