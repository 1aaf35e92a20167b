package dev.easel.engine.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.nn.Activations;
import dev.easel.engine.nn.Attention;
import dev.easel.engine.nn.Container;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.LayerNorm;
import dev.easel.engine.nn.LayerScope;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;

/**
 * diffusers' {@code BasicTransformerBlock}: self-attention ({@code attn1}), cross-attention on the text embeddings
 * ({@code attn2}) and a GEGLU feed-forward ({@code ff.net.0.proj}, {@code ff.net.2}), each pre-norm with a residual.
 */
public final class BasicTransformerBlock extends Module {

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final Linear geglu;
    private final Linear ffOut;

    public BasicTransformerBlock(Init init, int dim, int heads, int headDim, int crossDim, boolean upcast) {
        norm1 = register("norm1", new LayerNorm(init, dim, 1e-5f));
        attn1 = register("attn1", new Attention(init, dim, dim, heads, headDim, false, 0, 0f, upcast));
        norm2 = register("norm2", new LayerNorm(init, dim, 1e-5f));
        attn2 = register("attn2", new Attention(init, dim, crossDim, heads, headDim, false, 0, 0f, upcast));
        norm3 = register("norm3", new LayerNorm(init, dim, 1e-5f));
        Container ff = register("ff", new Container());
        ModuleList<Module> net = ff.add("net", new ModuleList<>());
        Container net0 = (Container) net.add(new Container());
        geglu = net0.add("proj", new Linear(init, dim, dim * 4L * 2, true));
        net.add(new Container()); // net.1 is dropout: no parameters
        ffOut = (Linear) net.add(new Linear(init, dim * 4L, dim, true));
    }

    /** {@code x} [B, L, dim] attends to itself and to {@code context} [B, 77, crossDim]. */
    public NDArray forward(NDManager scope, NDArray x, NDArray context) {
        return LayerScope.run(scope, layer -> forwardIn(layer, x, context));
    }

    private NDArray forwardIn(NDManager scope, NDArray x, NDArray context) {
        // Residual sums and the GEGLU gate are written into this layer's own temporaries (never into x, the caller's).
        NDArray n1 = norm1.forward(scope, x);
        NDArray h = LayerScope.addInto(attn1.forward(scope, n1, null), x);
        NDArray n2 = norm2.forward(scope, h);
        LayerScope.free(n1);
        h = LayerScope.addInto(attn2.forward(scope, n2, context), h);
        NDArray n3 = norm3.forward(scope, h);
        LayerScope.free(n2);
        NDArray proj = geglu.forward(scope, n3);
        LayerScope.free(n3);
        NDList parts = proj.split(2, proj.getShape().dimension() - 1);
        NDArray hidden = LayerScope.mulInto(Activations.gelu(parts.get(1)), parts.get(0));
        LayerScope.free(parts.get(0), parts.get(1), proj);
        NDArray out = ffOut.forward(scope, hidden);
        LayerScope.free(hidden);
        return LayerScope.addInto(out, h);
    }
}
