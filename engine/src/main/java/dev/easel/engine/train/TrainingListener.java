package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** Hears about a training run as it goes, e.g. to draw a progress bar or a live loss chart. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {};

    /** Before the first step: the run's name (its folder), the step it starts from (0, or a resumed step). */
    default void onStart(String name, long startStep, long totalSteps) {}

    /** Progress of work between steps that isn't a step (e.g. encoding a latent pool): done of total. */
    default void onProgress(String name, long done, long total) {}

    /**
     * After clipping, before the optimizer update of step {@code step} (1-based): the gradients by parameter name
     * and their global norm before clipping. The arrays are only valid during the call.
     */
    default void onGradients(long step, Map<String, NDArray> clipped, double normBeforeClip) {}

    /** After each optimizer step. */
    default void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {}

    /** After each checkpoint is written. */
    default void onCheckpoint(CheckpointStore.Checkpoint checkpoint) {}
}
