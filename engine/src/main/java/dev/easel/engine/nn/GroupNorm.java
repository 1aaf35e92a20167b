package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.GroupNorm} on NCHW input, through {@link TorchOps#groupNorm}. */
public final class GroupNorm extends Module {

    public final int groups;
    public final long channels;
    public final float eps;

    public GroupNorm(Init init, int groups, long channels, float eps) {
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        declare(init, "weight", new Shape(channels), Init.Kind.ONES, channels);
        declare(init, "bias", new Shape(channels), Init.Kind.ZEROS, channels);
    }

    public NDArray forward(NDManager scope, NDArray x) {
        NDArray in = Autocast.forNorm(scope, x);
        return TorchOps.groupNorm(
                scope, in, groups, Autocast.like(scope, p("weight"), in), Autocast.like(scope, p("bias"), in), eps);
    }
}
