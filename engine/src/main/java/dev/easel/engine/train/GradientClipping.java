package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Collection;

/**
 * Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_}: the norm of all gradients together,
 * and every gradient scaled by {@code min(1, maxNorm / (norm + 1e-6))}. DJL's own clipping clamps values from above
 * only, which is a different thing.
 */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales {@code gradients} in place so their global L2 norm is at most {@code maxNorm}.
     *
     * @return the global norm before clipping (what training logs report)
     */
    public static double clipGlobalNorm(Collection<NDArray> gradients, double maxNorm) {
        double total = globalNorm(gradients);
        clip(gradients, total, maxNorm);
        return total;
    }

    /** The L2 norm of all {@code gradients} together. */
    public static double globalNorm(Collection<NDArray> gradients) {
        double sumOfSquares = 0;
        for (NDArray gradient : gradients) {
            try (NDManager scope = NDManager.newBaseManager(gradient.getDevice())) {
                scope.tempAttachAll(new NDList(gradient));
                // Accumulate in double on the host: the sum over millions of values must not lose precision.
                double norm = gradient.norm().toType(DataType.FLOAT64, false).getDouble();
                sumOfSquares += norm * norm;
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /** Scales {@code gradients}, whose global norm is {@code total}, in place so that it is at most {@code maxNorm}. */
    public static void clip(Collection<NDArray> gradients, double total, double maxNorm) {
        double coefficient = Math.min(1.0, maxNorm / (total + 1e-6));
        if (coefficient < 1.0) {
            for (NDArray gradient : gradients) {
                gradient.muli(coefficient);
            }
        }
    }
}
