package dev.easel.engine.pipeline;

/** Told after every denoising step (UNet call), on the generating thread. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (step, total, elapsedMillis) -> { };

    /**
     * @param step steps done (1-based)
     * @param total steps in this generation
     * @param elapsedMillis time since the generation started
     */
    void onStep(int step, int total, long elapsedMillis);
}
