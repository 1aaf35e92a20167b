package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' {@code ResnetBlock2D}: GroupNorm → SiLU → conv1 (+ projected time embedding) → GroupNorm → SiLU →
 * conv2, plus a 1×1 {@code conv_shortcut} when the channel count changes.
 */
public final class ResnetBlock2D extends Module {

    public final GroupNorm norm1;
    public final Conv2d conv1;
    public final Linear timeEmbProj;
    public final GroupNorm norm2;
    public final Conv2d conv2;
    public final Conv2d convShortcut;

    /** @param tembChannels time-embedding width, or 0 for none (VAE) */
    public ResnetBlock2D(Init init, long in, long out, long tembChannels, int groups, float eps) {
        norm1 = register("norm1", new GroupNorm(init, groups, in, eps));
        conv1 = register("conv1", new Conv2d(init, in, out, 3, 1, 1));
        timeEmbProj = tembChannels > 0 ? register("time_emb_proj", new Linear(init, tembChannels, out, true)) : null;
        norm2 = register("norm2", new GroupNorm(init, groups, out, eps));
        conv2 = register("conv2", new Conv2d(init, out, out, 3, 1, 1));
        convShortcut = in != out ? register("conv_shortcut", new Conv2d(init, in, out, 1, 1, 0)) : null;
    }

    public NDArray forward(NDManager scope, NDArray x, NDArray temb) {
        return LayerScope.run(scope, layer -> forwardIn(layer, x, temb));
    }

    private NDArray forwardIn(NDManager scope, NDArray x, NDArray temb) {
        NDArray n1 = Activations.siluInto(scope, norm1.forward(scope, x));
        NDArray h = conv1.forward(scope, n1);
        LayerScope.free(n1);
        if (timeEmbProj != null && temb != null) {
            NDArray t = timeEmbProj.forward(scope, Activations.silu(temb));
            h = LayerScope.addInto(h, t.expandDims(2).expandDims(3));
        }
        NDArray n2 = Activations.siluInto(scope, norm2.forward(scope, h));
        LayerScope.free(h);
        NDArray out = conv2.forward(scope, n2);
        LayerScope.free(n2);
        if (convShortcut == null) {
            return LayerScope.addInto(out, x);
        }
        NDArray skip = convShortcut.forward(scope, x);
        out = LayerScope.addInto(out, skip);
        LayerScope.free(skip);
        return out;
    }
}
