package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@code torch.nn.Linear}: y = x·Wᵀ + b, weight [out, in]. */
public final class Linear extends Module {

    public final long in;
    public final long out;
    private final boolean bias;
    /** LoRA updates added to the output; several LoRAs stack, as in the web UIs. */
    private final List<LoraAdapter> adapters = new CopyOnWriteArrayList<>();

    public Linear(Init init, long in, long out, boolean bias) {
        this.in = in;
        this.out = out;
        this.bias = bias;
        declare(init, "weight", new Shape(out, in), Init.Kind.WEIGHT, in);
        if (bias) {
            declare(init, "bias", new Shape(out), Init.Kind.BIAS, in);
        }
    }

    public NDArray forward(NDManager scope, NDArray x) {
        NDArray input = Autocast.forProduct(scope, x);
        NDArray y = ai.djl.nn.core.Linear.linear(
                        input,
                        Autocast.like(scope, p("weight"), input),
                        bias ? Autocast.like(scope, p("bias"), input) : null)
                .singletonOrThrow();
        y.attach(scope);
        if (FlopCounter.on()) {
            FlopCounter.add(2L * y.getShape().size() * in);
        }
        if (adapters.isEmpty()) {
            return y; // the usual case, on every layer of every step: no iterator made
        }
        for (LoraAdapter adapter : adapters) {
            y = y.add(adapter.forward(scope, input));
        }
        return y;
    }

    /** Adds a LoRA update to this layer. The adapter's weights are not among the layer's parameters. */
    public void addAdapter(LoraAdapter adapter) {
        adapters.add(adapter);
    }

    /** Takes one LoRA update off again; others stay. */
    public void removeAdapter(LoraAdapter adapter) {
        adapters.remove(adapter);
    }

    public List<LoraAdapter> adapters() {
        return List.copyOf(adapters);
    }
}
