package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * How new parameters are created: with PyTorch's default initialisation (for training from scratch and for random
 * benchmark models) or as placeholders about to be overwritten by loaded weights.
 *
 * <p>A placeholder is a zero expanded to the parameter's shape: it has the right shape (which loading checks) but
 * occupies no memory, so a model being loaded holds each weight once — not a zero-filled copy of the whole model
 * next to the tensors replacing it — and building a full-size model costs no time. Placeholders also remember their
 * {@link Kind} and fan-in ({@link #declared}), which is what a writer of random models needs to know.
 */
public final class Init {

    /** What a parameter is, which decides its default initialisation. */
    public enum Kind {
        WEIGHT,
        BIAS,
        ONES,
        ZEROS,
        EMBEDDING
    }

    /** How a placeholder was declared. */
    public record Declared(Kind kind, long fanIn) {}

    private final NDManager manager;
    private final boolean random;
    private final Map<NDArray, Declared> declared = new IdentityHashMap<>();

    private Init(NDManager manager, boolean random) {
        this.manager = manager;
        this.random = random;
    }

    /** PyTorch defaults: kaiming-uniform(a=√5) for weights and biases (bound 1/√fan_in), N(0, 0.02) embeddings. */
    public static Init random(NDManager manager) {
        return new Init(manager, true);
    }

    /** Placeholders (no memory, the right shapes), for loading. */
    public static Init empty(NDManager manager) {
        return new Init(manager, false);
    }

    /** How {@code placeholder} was declared, or null if it is not one of this init's placeholders. */
    public Declared declared(NDArray placeholder) {
        return declared.get(placeholder);
    }

    public NDManager manager() {
        return manager;
    }

    NDArray create(Shape shape, Kind kind, long fanIn) {
        if (!random) {
            NDArray zero = manager.zeros(new Shape(1), DataType.FLOAT32);
            NDArray placeholder = zero.broadcast(shape); // a view: libtorch keeps the one float alive
            zero.close();
            declared.put(placeholder, new Declared(kind, fanIn));
            return placeholder;
        }
        if (kind == Kind.ZEROS) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        if (kind == Kind.EMBEDDING) {
            return manager.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
        }
        if (kind == Kind.ONES) {
            return manager.ones(shape, DataType.FLOAT32);
        }
        float bound = (float) (1.0 / Math.sqrt(Math.max(1, fanIn)));
        return manager.randomUniform(-bound, bound, shape, DataType.FLOAT32);
    }
}
