package dev.easel.engine.train;

import dev.easel.engine.EngineException;

/**
 * Ends a run whose steps keep failing: after {@link #MAX_SKIPPED_IN_A_ROW} steps in a row with a non-finite loss or
 * gradient (each skipped, so the weights stay as they were) the run is declared diverged rather than skipped past.
 * Loss-scaler overflows with a finite loss are routine under mixed precision and neither count nor reset.
 */
final class DivergenceCheck implements StepListener {

    /** Non-finite steps in a row after which the run is declared diverged. */
    static final int MAX_SKIPPED_IN_A_ROW = 10;

    private int skippedInARow;

    @Override
    public void afterStep(TrainingRun run, TrainingLog.Row row, TrainingRun.Update update) {
        if (update == TrainingRun.Update.APPLIED) {
            skippedInARow = 0;
        } else if (update == TrainingRun.Update.SKIPPED_NON_FINITE) {
            skippedInARow++;
        }
        if (skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
            throw new EngineException("training diverged: the last " + skippedInARow + " steps (to step "
                    + run.step + ") had a non-finite loss or gradient and changed nothing; lower the learning rate"
                    + (run.lastCheckpoint == null ? "" : ", or resume from " + run.lastCheckpoint.folder()));
        }
    }
}
