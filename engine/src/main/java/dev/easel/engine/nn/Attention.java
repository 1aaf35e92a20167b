package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' {@code Attention} (self- or cross-attention): {@code to_q}, {@code to_k}, {@code to_v},
 * {@code to_out.0}, and for the VAE's spatial attention an input {@code group_norm} and a residual connection.
 */
public final class Attention extends Module {

    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final GroupNorm groupNorm;
    private final int heads;
    private final boolean upcast;

    /**
     * @param queryDim channels of the attended sequence
     * @param crossDim channels of the context (= queryDim for self-attention)
     * @param normGroups groups of the input group norm, or 0 for none
     */
    public Attention(
            Init init,
            long queryDim,
            long crossDim,
            int heads,
            long dimHead,
            boolean bias,
            int normGroups,
            float normEps,
            boolean upcast) {
        this.heads = heads;
        this.upcast = upcast;
        long inner = heads * dimHead;
        groupNorm = normGroups > 0 ? register("group_norm", new GroupNorm(init, normGroups, queryDim, normEps)) : null;
        toQ = register("to_q", new Linear(init, queryDim, inner, bias));
        toK = register("to_k", new Linear(init, crossDim, inner, bias));
        toV = register("to_v", new Linear(init, crossDim, inner, bias));
        ModuleList<Linear> out = register("to_out", new ModuleList<>());
        toOut = out.add(new Linear(init, inner, queryDim, true));
    }

    /** Sequence attention: x [B, L, C], context [B, S, Cc] or null for self-attention. */
    public NDArray forward(NDManager scope, NDArray x, NDArray context) {
        return LayerScope.run(scope, layer -> forwardIn(layer, x, context));
    }

    private NDArray forwardIn(NDManager scope, NDArray x, NDArray context) {
        NDArray ctx = context == null ? x : context;
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        NDArray q = split(toQ.forward(scope, x), b);
        NDArray k = split(toK.forward(scope, ctx), b);
        NDArray v = split(toV.forward(scope, ctx), b);
        NDArray o = TorchOps.attention(scope, q, k, v, false, upcast);
        NDArray merged = o.transpose(0, 2, 1, 3).reshape(b, l, -1);
        return toOut.forward(scope, merged);
    }

    /** Spatial self-attention on NCHW input with group norm and residual (the VAE mid block). */
    public NDArray forwardSpatial(NDManager scope, NDArray x) {
        return LayerScope.run(scope, layer -> forwardSpatialIn(layer, x));
    }

    private NDArray forwardSpatialIn(NDManager scope, NDArray x) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray n = groupNorm != null ? groupNorm.forward(scope, x) : x;
        NDArray seq = n.reshape(b, c, h * w).transpose(0, 2, 1);
        NDArray o = forwardIn(scope, seq, null);
        NDArray back = o.transpose(0, 2, 1).reshape(b, c, h, w);
        return LayerScope.addInto(back, x);
    }

    private NDArray split(NDArray t, long b) {
        long l = t.getShape().get(1);
        long d = t.getShape().get(2);
        return t.reshape(b, l, heads, d / heads).transpose(0, 2, 1, 3);
    }
}
