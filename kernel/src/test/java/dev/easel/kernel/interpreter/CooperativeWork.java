package dev.easel.kernel.interpreter;

import java.util.concurrent.CancellationException;

/** Stands in for an engine loop: busy steps that check the interrupt flag between them, as the engine's do. */
public final class CooperativeWork {

    public static volatile boolean stoppedBetweenSteps;
    public static volatile int stepsDone;
    /** Set when the work has started, so a test interrupts it in its steps, not while its cell still compiles. */
    public static volatile boolean started;

    private CooperativeWork() {}

    public static void run(int steps, long stepMillis) {
        stoppedBetweenSteps = false;
        stepsDone = 0;
        started = true;
        for (int step = 0; step < steps; step++) {
            if (Thread.currentThread().isInterrupted()) {
                stoppedBetweenSteps = true;
                throw new CancellationException("stopped after " + step + " steps");
            }
            long end = System.nanoTime() + stepMillis * 1_000_000;
            while (System.nanoTime() < end) {
                Math.sqrt(System.nanoTime()); // busy, like a tensor step, and deaf to interrupts within it
            }
            stepsDone = step + 1;
        }
    }
}
