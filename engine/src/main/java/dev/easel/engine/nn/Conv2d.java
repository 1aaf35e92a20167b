package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@code torch.nn.Conv2d} with square kernel, stride and padding; weight [out, in, k, k]. */
public final class Conv2d extends Module {

    public final long in;
    public final long out;
    public final int kernel;
    private final Shape stride;
    private final Shape padding;
    /** LoRA (LoCon) updates added to the output; several stack. */
    private final List<LoraAdapter> adapters = new CopyOnWriteArrayList<>();

    public Conv2d(Init init, long in, long out, int kernel, int stride, int padding) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        long fanIn = in * kernel * kernel;
        declare(init, "weight", new Shape(out, in, kernel, kernel), Init.Kind.WEIGHT, fanIn);
        declare(init, "bias", new Shape(out), Init.Kind.BIAS, fanIn);
    }

    public NDArray forward(NDManager scope, NDArray x) {
        NDArray input = Autocast.forProduct(scope, x);
        NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(input, Autocast.like(scope, p("weight"), input),
                Autocast.like(scope, p("bias"), input), stride, padding, new Shape(1, 1), 1).singletonOrThrow();
        y.attach(scope);
        if (FlopCounter.on()) {
            FlopCounter.add(2L * y.getShape().size() * in * kernel * kernel);
        }
        if (adapters.isEmpty()) {
            return y;
        }
        for (LoraAdapter adapter : adapters) {
            y = y.add(adapter.forwardConv(scope, input, stride, padding));
        }
        return y;
    }

    /** Adds a LoRA update (down [rank, in, k, k], up [out, rank, 1, 1]); not among the layer's parameters. */
    public void addAdapter(LoraAdapter adapter) {
        adapters.add(adapter);
    }

    /** Takes one LoRA update off again; others stay. */
    public void removeAdapter(LoraAdapter adapter) {
        adapters.remove(adapter);
    }
}
