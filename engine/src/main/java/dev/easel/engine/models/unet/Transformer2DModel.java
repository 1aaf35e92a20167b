package dev.easel.engine.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.nn.Conv2d;
import dev.easel.engine.nn.GroupNorm;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.LayerScope;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;

/**
 * diffusers' {@code Transformer2DModel}: group norm, {@code proj_in} (a 1×1 convolution, or a linear layer with
 * {@code use_linear_projection} as in SD 2.x), the {@link BasicTransformerBlock}s over the H·W positions,
 * {@code proj_out}, and the residual.
 */
public final class Transformer2DModel extends Module {

    private final GroupNorm norm;
    private final Module projIn;
    private final ModuleList<BasicTransformerBlock> blocks;
    private final Module projOut;
    private final boolean linear;

    public Transformer2DModel(Init init, int heads, int headDim, int channels, int layers, BlockSettings s) {
        linear = s.useLinearProjection();
        int inner = heads * headDim;
        norm = register("norm", new GroupNorm(init, s.normGroups(), channels, 1e-6f));
        projIn = register(
                "proj_in",
                linear ? new Linear(init, channels, inner, true) : new Conv2d(init, channels, inner, 1, 1, 0));
        blocks = register("transformer_blocks", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            blocks.add(
                    new BasicTransformerBlock(init, inner, heads, headDim, s.crossAttentionDim(), s.upcastAttention()));
        }
        projOut = register(
                "proj_out",
                linear ? new Linear(init, inner, channels, true) : new Conv2d(init, inner, channels, 1, 1, 0));
    }

    /** {@code x} [B, C, H, W] attends to {@code context}; same shape out. */
    public NDArray forward(NDManager scope, NDArray x, NDArray context) {
        return LayerScope.run(scope, layer -> forwardIn(layer, x, context));
    }

    private NDArray forwardIn(NDManager scope, NDArray x, NDArray context) {
        long b = x.getShape().get(0);
        long ch = x.getShape().get(1);
        long hh = x.getShape().get(2);
        long ww = x.getShape().get(3);
        NDArray h = norm.forward(scope, x);
        long inner;
        if (!linear) {
            h = ((Conv2d) projIn).forward(scope, h);
            inner = h.getShape().get(1);
            h = h.transpose(0, 2, 3, 1).reshape(b, hh * ww, inner);
        } else {
            h = h.transpose(0, 2, 3, 1).reshape(b, hh * ww, ch);
            h = ((Linear) projIn).forward(scope, h);
            inner = h.getShape().get(2);
        }
        for (BasicTransformerBlock blk : blocks.items()) {
            h = blk.forward(scope, h, context);
        }
        if (!linear) {
            h = h.reshape(b, hh, ww, inner).transpose(0, 3, 1, 2);
            h = ((Conv2d) projOut).forward(scope, h);
        } else {
            h = ((Linear) projOut).forward(scope, h);
            h = h.reshape(b, hh, ww, ch).transpose(0, 3, 1, 2);
        }
        return LayerScope.addInto(h, x);
    }
}
