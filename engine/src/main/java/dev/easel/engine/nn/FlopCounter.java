package dev.easel.engine.nn;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the multiply-add FLOPs (2 per MAC) of convolutions, linear layers and attention from their shapes, while
 * enabled (for the benchmark's achieved-GFLOP/s figure). Normalisations and elementwise ops are not counted.
 */
public final class FlopCounter {

    private static volatile boolean enabled;
    private static final LongAdder FLOPS = new LongAdder();

    private FlopCounter() {}

    public static void start() {
        FLOPS.reset();
        enabled = true;
    }

    /** Stops counting and returns the FLOPs since {@link #start()}. */
    public static long stop() {
        enabled = false;
        return FLOPS.sum();
    }

    static boolean on() {
        return enabled;
    }

    static void add(long flops) {
        FLOPS.add(flops);
    }
}
