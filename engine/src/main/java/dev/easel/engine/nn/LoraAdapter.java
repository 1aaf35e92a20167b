package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A low-rank update of one {@link Linear} or {@link Conv2d} (Hu et al., LoRA):
 * {@code y = W·x + multiplier · (alpha / rank) · B·(A·x)}. For a linear layer A ({@code down}) is [rank, in] and B
 * ({@code up}) [out, rank]; for a convolution (LyCORIS' "LoCon") A is a convolution [rank, in, k, k] with the
 * layer's own stride and padding and B a 1×1 convolution [out, rank, 1, 1], so B·A is again a k×k kernel.
 * It is kept beside the layer rather than merged into W, so the base weights stay untouched and the multiplier
 * (the "LoRA weight" of the web UIs) can change freely.
 */
public final class LoraAdapter {

    private static final Shape ONE = new Shape(1, 1);
    private static final Shape ZERO = new Shape(0, 0);

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

    /** The update of a linear layer for input {@code x}: multiplier · alpha/rank · B·(A·x). */
    NDArray forward(NDManager scope, NDArray x) {
        NDArray low = ai.djl.nn.core.Linear.linear(x, Autocast.like(scope, down, x), null)
                .singletonOrThrow();
        low.attach(scope);
        NDArray update = ai.djl.nn.core.Linear.linear(low, Autocast.like(scope, up, low), null)
                .singletonOrThrow();
        update.attach(scope);
        return ScalarOps.mul(update, multiplier * scale);
    }

    /** The update of a convolution with the given stride and padding: A as a k×k convolution, then B as 1×1. */
    NDArray forwardConv(NDManager scope, NDArray x, Shape stride, Shape padding) {
        NDArray low = ai.djl.nn.convolutional.Conv2d.conv2d(
                        x, Autocast.like(scope, down, x), null, stride, padding, ONE, 1)
                .singletonOrThrow();
        low.attach(scope);
        NDArray update = ai.djl.nn.convolutional.Conv2d.conv2d(
                        low, Autocast.like(scope, up, low), null, ONE, ZERO, ONE, 1)
                .singletonOrThrow();
        update.attach(scope);
        return ScalarOps.mul(update, multiplier * scale);
    }
}
