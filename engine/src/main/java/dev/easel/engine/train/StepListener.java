package dev.easel.engine.train;

/**
 * The loop's own listeners, as DJL's {@code training/listener/}: the loop only computes the loss, back-propagates
 * and steps the optimizer; logging the loss ({@link LossLogger}), stopping a diverged run ({@link DivergenceCheck}),
 * writing checkpoints ({@link CheckpointSaver}) and measuring memory ({@link MemoryReport}) happen here, in that
 * order after every step. A listener may throw to end the run.
 */
interface StepListener {

    /** Before the first step of this session (after a resume, the run's step is the checkpoint's). */
    default void onRunStart(TrainingRun run) {}

    /** After optimizer step {@code run.step} (1-based) and what became of it. */
    default void afterStep(TrainingRun run, TrainingLog.Row row, TrainingRun.Update update) {}

    /** When the run stops: at its last step, or {@code interrupted} by the user between steps. */
    default void onRunEnd(TrainingRun run, boolean interrupted) {}
}
