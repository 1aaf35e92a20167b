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
        NDArray cast = Autocast.forProduct(scope, x);
        // In channels-last order oneDNN convolves in place of the layout it computes in; from NCHW it first reorders
        // the input and then the output into new arrays (at 512² two extra 128 MB arrays per convolution, each faulted
        // in page by page). The output stays channels-last, and so do the group norms, activations and sums after it,
        // so only the first convolution of a chain converts. Only where LayerScope.reusing (inference).
        boolean channelsLast = LayerScope.reusing() && x.getShape().dimension() == 4;
        NDArray input = channelsLast ? TorchOps.channelsLast(scope, cast) : cast;
        NDArray y;
        if (channelsLast && pointwise()) {
            // A 1×1 convolution of channels-last data is a matrix product over its [B, H, W, C] view, with no copy in
            // or out; libtorch would instead take oneDNN or (one thread, batch < 16) its im2col path via NNPACK's
            // failed probe, which warns on every call on CPUs NNPACK does not know.
            NDArray w = Autocast.like(scope, p("weight"), input).reshape(out, in);
            NDArray nhwc = input.transpose(0, 2, 3, 1);
            y = ai.djl.nn.core.Linear.linear(nhwc, w, Autocast.like(scope, p("bias"), input))
                    .singletonOrThrow()
                    .transpose(0, 3, 1, 2);
            w.close();
            nhwc.close();
        } else {
            y = ai.djl.nn.convolutional.Conv2d.conv2d(
                            input,
                            Autocast.like(scope, p("weight"), input),
                            Autocast.like(scope, p("bias"), input),
                            stride,
                            padding,
                            new Shape(1, 1),
                            1)
                    .singletonOrThrow();
        }
        y.attach(scope);
        if (FlopCounter.on()) {
            FlopCounter.add(2L * y.getShape().size() * in * kernel * kernel);
        }
        for (LoraAdapter adapter : adapters) {
            y = y.add(adapter.forwardConv(scope, input, stride, padding));
        }
        if (input != cast) {
            input.close(); // the channels-last copy, or a second handle on cast's storage
        }
        return y;
    }

    private boolean pointwise() {
        return kernel == 1 && stride.get(0) == 1 && padding.get(0) == 0;
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
