package dev.easel.engine.train;

import dev.easel.engine.BadValueException;
import java.nio.file.Path;

/**
 * How to run a training loop. Defaults follow diffusers' train_dreambooth where it has one.
 *
 * @param maxSteps optimizer steps of the whole run
 * @param learningRate the base learning rate the schedule scales
 * @param gradientAccumulation micro-batches per optimizer step
 * @param maxGradNorm global gradient norm limit (diffusers: 1.0)
 * @param checkpointEvery steps between checkpoints (a checkpoint is also written at the end and on interrupt)
 * @param keepCheckpoints how many of the newest checkpoints to keep
 * @param folder where checkpoints and the loss log go
 * @param lossScaling dynamic loss scaling ({@link LossScaler}), for float16 mixed precision
 * @param gradientCheckpointing recompute the model's block activations in the backward pass instead of keeping them
 *                              ({@link dev.easel.engine.nn.GradientCheckpointing}): less memory, more time
 */
public record TrainingSettings(
        long maxSteps,
        double learningRate,
        LearningRateSchedule schedule,
        int gradientAccumulation,
        double maxGradNorm,
        AdamW.Settings adam,
        long seed,
        int checkpointEvery,
        int keepCheckpoints,
        Path folder,
        boolean lossScaling,
        boolean gradientCheckpointing) {

    /** Settings without gradient checkpointing. */
    public TrainingSettings(
            long maxSteps,
            double learningRate,
            LearningRateSchedule schedule,
            int gradientAccumulation,
            double maxGradNorm,
            AdamW.Settings adam,
            long seed,
            int checkpointEvery,
            int keepCheckpoints,
            Path folder,
            boolean lossScaling) {
        this(
                maxSteps,
                learningRate,
                schedule,
                gradientAccumulation,
                maxGradNorm,
                adam,
                seed,
                checkpointEvery,
                keepCheckpoints,
                folder,
                lossScaling,
                false);
    }

    /** Settings without loss scaling (float32 or bfloat16 training). */
    public TrainingSettings(
            long maxSteps,
            double learningRate,
            LearningRateSchedule schedule,
            int gradientAccumulation,
            double maxGradNorm,
            AdamW.Settings adam,
            long seed,
            int checkpointEvery,
            int keepCheckpoints,
            Path folder) {
        this(
                maxSteps,
                learningRate,
                schedule,
                gradientAccumulation,
                maxGradNorm,
                adam,
                seed,
                checkpointEvery,
                keepCheckpoints,
                folder,
                false,
                false);
    }

    public TrainingSettings {
        if (maxSteps < 1) {
            throw new BadValueException("max train steps must be ≥ 1, got " + maxSteps);
        }
        if (!(learningRate > 0)) {
            throw new BadValueException("the learning rate must be > 0, got " + learningRate);
        }
        if (gradientAccumulation < 1) {
            throw new BadValueException("gradient accumulation must be ≥ 1, got " + gradientAccumulation);
        }
        if (!(maxGradNorm > 0)) {
            throw new BadValueException("max grad norm must be > 0, got " + maxGradNorm);
        }
        if (checkpointEvery < 1 || keepCheckpoints < 1) {
            throw new BadValueException("checkpoint every ≥ 1 step and keep ≥ 1 checkpoint, got " + checkpointEvery
                    + " and " + keepCheckpoints);
        }
    }
}
