package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** diffusers' {@code Upsample2D}: nearest-neighbour resize (2×, or to the skip connection's size), then a 3×3 conv. */
public final class Upsample2D extends Module {

    private final Conv2d conv;

    public Upsample2D(Init init, long channels, long out) {
        conv = register("conv", new Conv2d(init, channels, out, 3, 1, 1));
    }

    /** @param h target height, or ≤0 for 2× */
    public NDArray forward(NDManager scope, NDArray x, long h, long w) {
        return LayerScope.run(scope, layer -> forwardIn(layer, x, h, w));
    }

    private NDArray forwardIn(NDManager scope, NDArray x, long h, long w) {
        if (h <= 0) {
            h = x.getShape().get(2) * 2;
            w = x.getShape().get(3) * 2;
        }
        NDArray up = x.getNDArrayInternal().interpolation(new long[] {h, w}, 0, false);
        up.attach(scope);
        return conv.forward(scope, up);
    }
}
