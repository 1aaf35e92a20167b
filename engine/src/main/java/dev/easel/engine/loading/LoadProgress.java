package dev.easel.engine.loading;

/**
 * Told while a model loads, after each tensor (for a progress bar). Not a generation step: loading has its own
 * progress, counted in tensors per component; a generation's steps go to the pipeline's step callback.
 */
@FunctionalInterface
public interface LoadProgress {

    LoadProgress NONE = (component, done, total) -> {};

    /**
     * @param component "text_encoder", "unet" or "vae"
     * @param done tensors loaded so far in this component
     * @param total tensors in this component
     */
    void onProgress(String component, int done, int total);
}
