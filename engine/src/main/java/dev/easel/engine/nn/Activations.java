package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;

/** Activation functions by the names used in the model configs. */
public final class Activations {

    private Activations() {}

    /** x·sigmoid(x). */
    public static NDArray silu(NDArray x) {
        NDArray s = x.getNDArrayInternal().sigmoid();
        NDArray y = x.mul(s);
        s.close();
        return y;
    }

    /** x·sigmoid(x) written over {@code owned}, a temporary of the calling layer, when {@link LayerScope#reusing}. */
    public static NDArray siluInto(NDManager scope, NDArray owned) {
        return LayerScope.reusing() ? TorchOps.siluInPlace(scope, owned) : silu(owned);
    }

    /** x·sigmoid(1.702x), OpenAI CLIP's activation. */
    public static NDArray quickGelu(NDArray x) {
        NDArray t = ScalarOps.mul(x, 1.702);
        NDArray s = t.getNDArrayInternal().sigmoid();
        t.close();
        NDArray y = x.mul(s);
        s.close();
        return y;
    }

    /** Exact (erf) GELU. */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    public static NDArray apply(String name, NDArray x) {
        switch (name) {
            case "silu":
            case "swish":
                return silu(x);
            case "quick_gelu":
                return quickGelu(x);
            case "gelu":
                return gelu(x);
            default:
                throw new EngineException("unsupported activation " + name);
        }
    }
}
