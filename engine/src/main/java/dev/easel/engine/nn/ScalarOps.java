package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.torch.LibTorch;

/**
 * An array plus, times or divided by a constant, safe inside a forward pass whose gradients are recorded.
 *
 * <p>DJL's {@code x.mul(2f)} and {@code x.div(2f)} wrap the number in a tensor over a Java direct buffer, multiply, and
 * close it. Autograd keeps that tensor for the backward pass (the gradient of x·c is grad·c), but the buffer's memory
 * is freed once the Java object is collected, so a backward pass that runs after a garbage collection reads freed
 * memory: usually still the constant, now and then whatever was allocated there since — a NaN or infinite gradient
 * for a finite loss, about once in a thousand training steps, gone when the step is computed again. Here the
 * constant is made by PyTorch itself ({@code torch.full}), so autograd's reference keeps it alive.
 *
 * <p>Use these wherever gradients may flow; plain {@code mul(Number)} is fine where none are recorded (sampling).
 */
public final class ScalarOps {

    private ScalarOps() {}

    /** {@code x · c}, in x's data type. */
    public static NDArray mul(NDArray x, double c) {
        try (NDArray constant = constant(x, c)) {
            return x.mul(constant);
        }
    }

    /** {@code x + c}, in x's data type. */
    public static NDArray add(NDArray x, double c) {
        try (NDArray constant = constant(x, c)) {
            return x.add(constant);
        }
    }

    /** {@code x / c}, in x's data type. */
    public static NDArray div(NDArray x, double c) {
        try (NDArray constant = constant(x, c)) {
            return x.div(constant);
        }
    }

    private static NDArray constant(NDArray like, double c) {
        // Straight to torch.full on x's device: NDManager.full(..., device) leaves a sub-manager behind per call.
        return LibTorch.full(like.getManager(), new Shape(), c, like.getDataType(), like.getDevice());
    }
}
