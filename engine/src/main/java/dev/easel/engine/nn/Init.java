package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * How new parameters are created: with PyTorch's default initialisation (for training from scratch and for random
 * benchmark models) or as zeros (placeholders about to be overwritten by loaded weights).
 */
public final class Init {

    /** What a parameter is, which decides its default initialisation. */
    public enum Kind { WEIGHT, BIAS, ONES, ZEROS, EMBEDDING }

    private final NDManager manager;
    private final boolean random;

    private Init(NDManager manager, boolean random) {
        this.manager = manager;
        this.random = random;
    }

    /** PyTorch defaults: kaiming-uniform(a=√5) for weights and biases (bound 1/√fan_in), N(0, 0.02) embeddings. */
    public static Init random(NDManager manager) {
        return new Init(manager, true);
    }

    /** Zero placeholders, for loading. */
    public static Init empty(NDManager manager) {
        return new Init(manager, false);
    }

    public NDManager manager() {
        return manager;
    }

    NDArray create(Shape shape, Kind kind, long fanIn) {
        if (kind == Kind.ONES) {
            return manager.ones(shape, DataType.FLOAT32);
        }
        if (!random || kind == Kind.ZEROS) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        if (kind == Kind.EMBEDDING) {
            return manager.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
        }
        float bound = (float) (1.0 / Math.sqrt(Math.max(1, fanIn)));
        return manager.randomUniform(-bound, bound, shape, DataType.FLOAT32);
    }
}
