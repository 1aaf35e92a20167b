package dev.easel.engine.sweep;

/** Hears a sweep's progress: the total first, then images done, with an ETA once the first ones are made. */
public interface SweepListener {

    SweepListener NONE = new SweepListener() {};

    default void onStart(int totalImages) {}

    /** {@code etaSeconds} is negative until an estimate exists. */
    default void onProgress(int done, int total, double etaSeconds) {}
}
