package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Embedding}: rows of the weight [num, dim] picked by integer ids. */
public final class Embedding extends Module {

    public final long num;
    public final long dim;

    public Embedding(Init init, long num, long dim) {
        this.num = num;
        this.dim = dim;
        declare(init, "weight", new Shape(num, dim), Init.Kind.EMBEDDING, dim);
    }

    /** ids: int64 [B, L] → [B, L, dim]. */
    public NDArray forward(NDManager scope, NDArray ids) {
        Shape s = ids.getShape();
        NDArray flat = ids.reshape(-1);
        NDArray rows = p("weight").get(flat);
        flat.close();
        NDArray y = rows.reshape(s.addAll(new Shape(dim)));
        y.attach(scope);
        rows.close();
        return y;
    }
}
