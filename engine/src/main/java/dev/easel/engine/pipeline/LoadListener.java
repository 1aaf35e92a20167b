package dev.easel.engine.pipeline;

/** Told while a pipeline loads (for a progress bar). */
@FunctionalInterface
public interface LoadListener {

    LoadListener NONE = (component, done, total) -> { };

    /**
     * @param component "text_encoder", "unet" or "vae"
     * @param done tensors loaded so far in this component
     * @param total tensors in this component
     */
    void onProgress(String component, int done, int total);
}
