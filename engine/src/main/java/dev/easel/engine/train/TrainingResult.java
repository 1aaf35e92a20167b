package dev.easel.engine.train;

/**
 * How a training run ended.
 *
 * @param completedSteps optimizer steps done in total (including those before a resume)
 * @param sessionSteps optimizer steps done by this session (0 when it resumed a run that had already finished)
 * @param interrupted true when it stopped early at the user's request (a checkpoint was written)
 * @param stepsPerSecond optimizer steps per second over this session of the run
 * @param peakRssBytes the process's peak resident memory, from /proc (0 where unknown)
 * @param skippedSteps steps of this session whose loss or gradient was not finite, so the weights were not updated
 */
public record TrainingResult(
        long completedSteps,
        long sessionSteps,
        boolean interrupted,
        double lastLoss,
        double stepsPerSecond,
        long peakRssBytes,
        CheckpointStore.Checkpoint lastCheckpoint,
        long skippedSteps) {

    /** One line for logs and notebooks. */
    public String summary() {
        if (sessionSteps == 0 && !interrupted) {
            return "already finished at step " + completedSteps + " (nothing left to train)"
                    + (lastCheckpoint == null ? "" : ", checkpoint " + lastCheckpoint.folder());
        }
        return String.format(
                        "%s after %d steps: loss %.4f, %.2f steps/s, peak memory %d MiB%s",
                        interrupted ? "interrupted" : "finished",
                        completedSteps,
                        lastLoss,
                        stepsPerSecond,
                        peakRssBytes >> 20,
                        lastCheckpoint == null ? "" : ", checkpoint " + lastCheckpoint.folder())
                + (skippedSteps == 0 ? "" : ", " + skippedSteps + " steps skipped (non-finite gradients)");
    }
}
