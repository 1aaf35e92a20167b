package dev.easel.engine.train;

/**
 * What the loop's listeners see of a run in progress (as DJL's listeners see the {@code Trainer}): its settings,
 * the objective and optimizer state, the step reached and the newest checkpoint.
 */
final class TrainingRun {

    /** What became of one optimizer step. */
    enum Update {
        /** The optimizer updated the weights. */
        APPLIED,
        /** Skipped because the loss or gradient was not finite: a sign of divergence when it repeats. */
        SKIPPED_NON_FINITE,
        /** Skipped by the loss scaler after an overflow with a finite loss: routine, the scale backs off. */
        SKIPPED_OVERFLOW
    }

    final TrainingSettings settings;
    final TrainingObjective objective;
    final AdamW optimizer;
    final CheckpointStore store;
    LossScaler scaler;
    long step;
    CheckpointStore.Checkpoint lastCheckpoint;

    TrainingRun(
            TrainingSettings settings,
            TrainingObjective objective,
            AdamW optimizer,
            CheckpointStore store,
            LossScaler scaler) {
        this.settings = settings;
        this.objective = objective;
        this.optimizer = optimizer;
        this.store = store;
        this.scaler = scaler;
    }
}
