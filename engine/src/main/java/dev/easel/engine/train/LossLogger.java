package dev.easel.engine.train;

import java.nio.file.Path;

/** Appends each step's row to the run's {@link TrainingLog} and passes it on to the caller's listener. */
final class LossLogger implements StepListener, AutoCloseable {

    private final TrainingLog log;
    private final TrainingListener listener;

    /** Opens the log of {@code folder}, keeping the rows up to {@code resumedStep}. */
    LossLogger(Path folder, long resumedStep, TrainingListener listener) {
        this.log = TrainingLog.open(folder, "loss", resumedStep);
        this.listener = listener;
    }

    @Override
    public void afterStep(TrainingRun run, TrainingLog.Row row, TrainingRun.Update update) {
        log.append(row);
        listener.onStep(row, run.settings.maxSteps(), log);
    }

    @Override
    public void close() {
        log.close();
    }
}
