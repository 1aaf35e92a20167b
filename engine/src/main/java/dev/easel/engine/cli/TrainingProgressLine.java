package dev.easel.engine.cli;

import dev.easel.engine.train.CheckpointStore;
import dev.easel.engine.train.TrainingListener;
import dev.easel.engine.train.TrainingLog;
import java.io.PrintStream;

/** A training run's progress as one terminal line rewritten in place: stage, step, loss, rate, speed, ETA. */
final class TrainingProgressLine implements TrainingListener {

    private final PrintStream out;
    private String stage = "";
    private long stageStart;
    private long stageFirstStep = -1;

    TrainingProgressLine(PrintStream out) {
        this.out = out;
    }

    /** Starts a new line for each run (stage) the loop begins. */
    @Override
    public void onStart(String name, long startStep, long totalSteps) {
        if (!stage.isEmpty()) {
            out.println();
        }
        stage = name;
        stageStart = System.nanoTime();
        stageFirstStep = -1;
    }

    @Override
    public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
        if (stageFirstStep < 0) {
            stageFirstStep = row.step() - 1;
            stageStart = System.nanoTime() - (long) (row.seconds() * 1e9);
        }
        double elapsed = (System.nanoTime() - stageStart) / 1e9;
        double perSecond = (row.step() - stageFirstStep) / Math.max(elapsed, 1e-9);
        long eta = Math.round((totalSteps - row.step()) / Math.max(perSecond, 1e-9));
        out.printf(
                "\r%s step %d/%d  loss %.4f  lr %.2e  %.2f it/s  ETA %d:%02d:%02d   ",
                stage,
                row.step(),
                totalSteps,
                row.loss(),
                row.learningRate(),
                perSecond,
                eta / 3600,
                eta / 60 % 60,
                eta % 60);
        out.flush();
    }

    @Override
    public void onProgress(String name, long done, long total) {
        out.printf("\r%s %d/%d   ", name, done, total);
        out.flush();
    }

    @Override
    public void onCheckpoint(CheckpointStore.Checkpoint checkpoint) {
        // The line shows progress; checkpoints are listed at the end.
    }

    void done() {
        out.println();
    }
}
