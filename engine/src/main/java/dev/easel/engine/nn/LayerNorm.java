package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last dimension. */
public final class LayerNorm extends Module {

    private final long dim;
    private final float eps;

    public LayerNorm(Init init, long dim, float eps) {
        this.dim = dim;
        this.eps = eps;
        declare(init, "weight", new Shape(dim), Init.Kind.ONES, dim);
        declare(init, "bias", new Shape(dim), Init.Kind.ZEROS, dim);
    }

    public NDArray forward(NDManager scope, NDArray x) {
        NDArray in = Autocast.forNorm(scope, x);
        NDArray y = ai.djl.nn.norm.LayerNorm.layerNorm(
                        in,
                        new Shape(dim),
                        Autocast.like(scope, p("weight"), in),
                        Autocast.like(scope, p("bias"), in),
                        eps)
                .singletonOrThrow();
        y.attach(scope);
        return y;
    }
}
