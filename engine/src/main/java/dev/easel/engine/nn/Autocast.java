package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Mixed-precision compute the way {@code torch.autocast} does it, for training with float32 master weights: inside
 * a region, matrix products (linear layers, convolutions, and so attention) run in a low-precision type (float16)
 * and normalisations in float32, whatever the types of their inputs and weights. A weight is cast on its
 * way into the product; autograd casts its gradient back, so the optimizer sees float32 gradients of float32
 * weights. Outside a region a layer computes in its input's type, casting a weight of another type (a frozen
 * float16 VAE fed float32 latents still works).
 *
 * <p>The region is per thread, like torch's.
 */
public final class Autocast implements AutoCloseable {

    private static final ThreadLocal<DataType> LOW_PRECISION = new ThreadLocal<>();

    private final DataType previous;

    private Autocast(DataType previous) {
        this.previous = previous;
    }

    /** Enters a region whose matrix products compute in {@code lowPrecision}; null enters no region. */
    public static Autocast enable(DataType lowPrecision) {
        DataType previous = LOW_PRECISION.get();
        if (lowPrecision != null) {
            LOW_PRECISION.set(lowPrecision);
        }
        return new Autocast(previous);
    }

    /** Leaves any region until closed (for a frozen model run in its own type amid a trained one's forward). */
    public static Autocast off() {
        DataType previous = LOW_PRECISION.get();
        LOW_PRECISION.remove();
        return new Autocast(previous);
    }

    /** This thread's region type (float16), or null outside a region: what a recomputation re-enters. */
    static DataType current() {
        return LOW_PRECISION.get();
    }

    @Override
    public void close() {
        if (previous == null) {
            LOW_PRECISION.remove();
        } else {
            LOW_PRECISION.set(previous);
        }
    }

    /** The input of a matrix product: in the region's low precision, else unchanged. */
    static NDArray forProduct(NDManager scope, NDArray x) {
        DataType low = LOW_PRECISION.get();
        return low == null ? x : cast(scope, x, low);
    }

    /** The input of a normalisation: float32 in a region (as autocast keeps them), else unchanged. */
    static NDArray forNorm(NDManager scope, NDArray x) {
        return LOW_PRECISION.get() == null ? x : cast(scope, x, DataType.FLOAT32);
    }

    /** A weight in the type of the input it meets (null stays null). */
    static NDArray like(NDManager scope, NDArray weight, NDArray input) {
        return weight == null ? null : cast(scope, weight, input.getDataType());
    }

    private static NDArray cast(NDManager scope, NDArray a, DataType type) {
        // in the scope, not the weight's long-lived manager: one cast per forward pass would pile up there
        return a.getDataType().isFloating() ? TorchOps.cast(scope, a, type) : a;
    }
}
