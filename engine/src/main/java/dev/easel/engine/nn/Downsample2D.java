package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Downsample2D} with a strided 3×3 {@code conv}. With padding 0 (the VAE encoder) the input is
 * first padded by one row/column at the bottom/right, as diffusers does.
 */
public final class Downsample2D extends Module {

    private final Conv2d conv;
    private final int padding;

    public Downsample2D(Init init, long channels, long out, int padding) {
        this.padding = padding;
        conv = register("conv", new Conv2d(init, channels, out, 3, 2, padding));
    }

    public NDArray forward(NDManager scope, NDArray x) {
        return LayerScope.run(scope, layer -> forwardIn(layer, x));
    }

    private NDArray forwardIn(NDManager scope, NDArray x) {
        if (padding == 0) {
            Shape s = x.getShape();
            NDArray col = scope.zeros(new Shape(s.get(0), s.get(1), s.get(2), 1), x.getDataType(), x.getDevice());
            NDArray wide = NDArrays.concat(new NDList(x, col), 3);
            wide.attach(scope); // concat attaches to x's manager: the caller's
            NDArray row = scope.zeros(new Shape(s.get(0), s.get(1), 1, s.get(3) + 1), x.getDataType(), x.getDevice());
            x = NDArrays.concat(new NDList(wide, row), 2);
        }
        return conv.forward(scope, x);
    }
}
