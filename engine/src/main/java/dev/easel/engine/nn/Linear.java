package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Linear}: y = x·Wᵀ + b, weight [out, in]. */
public final class Linear extends Module {

    public final long in;
    public final long out;
    private final boolean bias;
    private LoraAdapter adapter;

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
        NDArray y = ai.djl.nn.core.Linear.linear(input, Autocast.like(scope, p("weight"), input),
                bias ? Autocast.like(scope, p("bias"), input) : null).singletonOrThrow();
        y.attach(scope);
        if (FlopCounter.on()) {
            FlopCounter.add(2L * y.getShape().size() * in);
        }
        return adapter == null ? y : y.add(adapter.forward(scope, input));
    }

    /** Adds a LoRA update to this layer (null removes it). The adapter's weights are not among the parameters. */
    public void setAdapter(LoraAdapter adapter) {
        this.adapter = adapter;
    }

    public LoraAdapter adapter() {
        return adapter;
    }
}
