package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A low-rank update of one {@link Linear} (Hu et al., LoRA): {@code y = W·x + multiplier · (alpha / rank) · B·(A·x)},
 * with A ({@code down}, [rank, in]) and B ({@code up}, [out, rank]). It is kept beside the layer rather than merged
 * into W, so the base weights stay untouched and the multiplier (the "LoRA weight" of the web UIs) can change freely.
 */
public final class LoraAdapter {

    private final NDArray down;
    private final NDArray up;
    private final double scale;
    private volatile double multiplier = 1.0;

    public LoraAdapter(NDArray down, NDArray up, double alpha) {
        this.down = down;
        this.up = up;
        this.scale = alpha / down.getShape().get(0);
    }

    public NDArray down() {
        return down;
    }

    public NDArray up() {
        return up;
    }

    public int rank() {
        return (int) down.getShape().get(0);
    }

    public double alpha() {
        return scale * rank();
    }

    public void setMultiplier(double multiplier) {
        this.multiplier = multiplier;
    }

    /** The update for input {@code x}: multiplier · alpha/rank · B·(A·x). */
    NDArray forward(NDManager scope, NDArray x) {
        NDArray low = ai.djl.nn.core.Linear.linear(x, Autocast.like(scope, down, x), null).singletonOrThrow();
        low.attach(scope);
        NDArray update = ai.djl.nn.core.Linear.linear(low, Autocast.like(scope, up, low), null).singletonOrThrow();
        update.attach(scope);
        return ScalarOps.mul(update, multiplier * scale);
    }
}
