package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * What one kind of training computes — the VAE's reconstruction, the denoiser's noise prediction, DreamBooth's
 * instance + prior loss. {@link TrainingLoop} does everything around it (accumulation, clipping, the optimizer,
 * checkpoints, logging, interruption), so there is one loop for every training Easel does.
 */
public interface TrainingObjective {

    /** The parameters the optimizer updates, by checkpoint name (e.g. {@code unet.conv_in.weight}). */
    Map<String, NDArray> trainableParameters();

    /**
     * The loss of micro-batch {@code micro} of optimizer step {@code step} (0-based), recorded for backward.
     * The loop reseeds the random generator before each call from (seed, step, micro), so noise drawn here is the
     * same after a resume. Everything created must live in {@code scope}.
     */
    NDArray loss(NDManager scope, long step, int micro);

    /** Called after each optimizer update with the number of completed steps (e.g. to update an EMA). */
    default void afterStep(long completedSteps) {}

    /** Tensors besides the trainable weights that a checkpoint must hold (e.g. EMA weights). */
    default Map<String, NDArray> extraState() {
        return Map.of();
    }

    /** Restores what {@link #extraState()} saved. */
    default void restoreExtraState(Map<String, NDArray> state) {}

    /**
     * What identifies the model being trained (architecture, base model path…). A checkpoint whose identity differs
     * is refused on resume, so a run can't continue from another model's checkpoint.
     */
    Map<String, Object> identity();
}
