package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Embedding}: rows of the weight [num, dim] picked by integer ids. */
public final class Embedding extends Module {

    public final long num;
    public final long dim;
    /** The weight with rows appended after it (textual-inversion vectors), or null: the weight alone. */
    private volatile NDArray extended;

    public Embedding(Init init, long num, long dim) {
        this.num = num;
        this.dim = dim;
        declare(init, "weight", new Shape(num, dim), Init.Kind.EMBEDDING, dim);
    }

    /** ids: int64 [B, L] → [B, L, dim]. */
    public NDArray forward(NDManager scope, NDArray ids) {
        Shape s = ids.getShape();
        NDArray flat = ids.reshape(-1);
        NDArray table = extended;
        NDArray rows = (table != null ? table : p("weight")).get(flat);
        flat.close();
        NDArray y = rows.reshape(s.addAll(new Shape(dim)));
        y.attach(scope);
        rows.close();
        return y;
    }

    /**
     * Appends rows after the weight for ids {@code num, num + 1, …} (new tokens); null takes them off again. The
     * weight itself, and so {@link #parameters()}, stays as loaded.
     */
    public void setExtraRows(NDArray rows) {
        NDArray old = extended;
        if (rows == null) {
            extended = null;
        } else {
            NDArray weight = p("weight");
            NDArray table =
                    weight.concat(rows.toType(weight.getDataType(), false).toDevice(weight.getDevice(), false));
            table.attach(weight.getManager());
            extended = table;
        }
        if (old != null) {
            old.close();
        }
    }

    /** Rows the embedding has now: its weight's plus any extra. */
    public long rows() {
        NDArray table = extended;
        return table != null ? table.getShape().get(0) : num;
    }
}
