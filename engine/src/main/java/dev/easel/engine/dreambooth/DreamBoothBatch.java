package dev.easel.engine.dreambooth;

import ai.djl.ndarray.NDArray;

/**
 * One training batch as diffusers' train_dreambooth collates it: pixel values in [-1, 1] and prompt ids, the
 * instance examples first and then, with prior preservation, as many class examples.
 *
 * @param instances how many leading rows are instance examples (the rest are class examples)
 */
public record DreamBoothBatch(NDArray pixels, NDArray inputIds, int instances) {

    public boolean hasPrior() {
        return pixels.getShape().get(0) > instances;
    }
}
