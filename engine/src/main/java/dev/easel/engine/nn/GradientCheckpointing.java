package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.torch.LibTorch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gradient checkpointing, as diffusers' {@code enable_gradient_checkpointing()} does it with
 * {@code torch.utils.checkpoint}: a training forward pass keeps only the inputs of each marked segment (a UNet block)
 * instead of every activation inside it, and the backward pass recomputes each segment's activations when it gets
 * there. DJL has no custom autograd functions, so the backward pass is driven here, segment by segment in reverse:
 *
 * <ol>
 * <li>forward: inside a region ({@link #begin}), {@link #run} computes a segment with gradient recording off (its
 * layers free their intermediates as in inference, see {@link LayerScope}), remembers its inputs and returns its
 * outputs as leaves that require a gradient, so whatever uses them outside any segment (the UNet's output layers, the
 * loss) deposits its gradient on them;</li>
 * <li>{@link #backward}: back-propagates the loss to those leaves, then for each segment from the last: recomputes
 * it with recording on from detached copies of its inputs, back-propagates Σ sum(output × upstream gradient) — the
 * gradient of that sum with respect to each output is exactly the upstream gradient — into the segment's
 * parameters and input copies, and hands each input copy's gradient to the segment that produced that input (summed:
 * a UNet skip connection feeds both the next layer and an up block);</li>
 * <li>the inputs no segment produced (the timestep embedding, the text embeddings, the first convolution's output)
 * receive their summed gradients in one last backward pass through the ordinary graph that made them.</li>
 * </ol>
 *
 * <p>Parameter gradients equal the plain backward pass's up to the order of floating-point sums. A segment must
 * compute the same numbers twice: it may not draw random numbers (SD's UNet has no dropout), and the autocast region
 * it ran in is re-entered for the recomputation. The region is per thread, like {@link Autocast}.
 */
public final class GradientCheckpointing implements AutoCloseable {

    /** A segment's computation, inputs → outputs; deterministic, since the backward pass runs it again. */
    @FunctionalInterface
    public interface Segment {
        List<NDArray> forward(NDManager scope, List<NDArray> inputs);
    }

    private static final ThreadLocal<GradientCheckpointing> ACTIVE = new ThreadLocal<>();
    /** Set while a segment's first, gradient-free forward pass runs on this thread. */
    private static final ThreadLocal<Boolean> RECORDING = ThreadLocal.withInitial(() -> false);

    /** One segment as the forward pass ran it: what to recompute, from what, and which arrays it returned. */
    private record Recorded(Segment body, List<NDArray> inputs, List<NDArray> outputs, DataType autocast) {}

    private final NDManager scope;
    private final boolean enabled;
    private final GradientCheckpointing previous;
    private final List<Recorded> segments = new ArrayList<>();

    private GradientCheckpointing(NDManager scope, boolean enabled, GradientCheckpointing previous) {
        this.scope = scope;
        this.enabled = enabled;
        this.previous = previous;
    }

    /**
     * Enters a region on this thread in which {@link #run} checkpoints the segments it is given (when
     * {@code enabled}; otherwise segments run as plain code and {@link #backward} is an ordinary backward pass). The
     * segments' kept inputs and outputs live in {@code scope}: one training micro-batch.
     */
    public static GradientCheckpointing begin(NDManager scope, boolean enabled) {
        GradientCheckpointing region = new GradientCheckpointing(scope, enabled, ACTIVE.get());
        if (enabled) {
            ACTIVE.set(region);
        }
        return region;
    }

    /**
     * Whether a checkpointed segment's gradient-free forward pass is running on this thread: it must do the training
     * arithmetic (no inference-only layouts, see {@link LayerScope#reusing}), or the recomputation in the backward pass
     * would round differently from the values the next segments were given.
     */
    static boolean recordingForward() {
        return RECORDING.get();
    }

    /**
     * Runs {@code body} on {@code inputs}: checkpointed inside an enabled region while gradients are recorded,
     * plainly otherwise (inference, or training without checkpointing). Inputs may be null (an unused context).
     */
    public static List<NDArray> run(NDManager scope, List<NDArray> inputs, Segment body) {
        GradientCheckpointing region = ACTIVE.get();
        if (region == null || !LibTorch.gradMode()) {
            return body.forward(scope, inputs);
        }
        return region.record(scope, inputs, body);
    }

    private List<NDArray> record(NDManager at, List<NDArray> inputs, Segment body) {
        List<NDArray> outputs;
        LibTorch.setGradMode(false);
        RECORDING.set(true);
        try {
            outputs = body.forward(at, inputs);
        } finally {
            RECORDING.set(false);
            LibTorch.setGradMode(true);
        }
        Set<NDArray> in = identitySet(inputs);
        for (NDArray out : outputs) {
            if (in.contains(out)) {
                throw new IllegalStateException("a checkpointed segment returned one of its inputs unchanged");
            }
            out.attach(scope);
            out.setRequiresGradient(true);
        }
        segments.add(new Recorded(
                body, Collections.unmodifiableList(new ArrayList<>(inputs)), List.copyOf(outputs), Autocast.current()));
        return outputs;
    }

    /** How many segments the forward pass checkpointed so far (none in a disabled region). */
    public int segmentCount() {
        return segments.size();
    }

    /**
     * {@code loss.backward()}, then the segments' backward passes in reverse (see the class comment). Parameter
     * gradients accumulate as with a plain backward pass.
     */
    public void backward(NDArray loss) {
        NDArray ones = loss.getManager().ones(loss.getShape(), loss.getDataType(), loss.getDevice());
        // keep the graph outside the segments: the inputs they did not produce still need it at the end
        LibTorch.backward(loss, ones, !segments.isEmpty(), false);
        if (segments.isEmpty()) {
            return;
        }
        Set<NDArray> produced = Collections.newSetFromMap(new IdentityHashMap<>());
        segments.forEach(s -> produced.addAll(s.outputs()));
        Map<NDArray, NDArray> upstream = new IdentityHashMap<>();
        List<NDArray> external = new ArrayList<>(); // inputs no segment produced, in order of first use from the end
        boolean gradMode = LibTorch.gradMode();
        try {
            for (int s = segments.size() - 1; s >= 0; s--) {
                Recorded segment = segments.get(s);
                try (NDManager work = scope.newSubManager()) {
                    recompute(segment, work, produced, upstream, external);
                }
            }
        } finally {
            LibTorch.setGradMode(gradMode);
        }
        List<NDArray> tensors = new ArrayList<>();
        List<NDArray> gradients = new ArrayList<>();
        for (NDArray input : external) {
            tensors.add(input);
            gradients.add(upstream.get(input));
        }
        try (NDManager work = scope.newSubManager()) {
            NDArray total = weightedSum(work, tensors, gradients);
            if (total != null) {
                LibTorch.backward(
                        total, work.ones(total.getShape(), total.getDataType(), total.getDevice()), false, false);
            }
        }
    }

    /** One segment's backward pass; its inputs' gradients are added to {@code upstream}. */
    private void recompute(
            Recorded segment,
            NDManager work,
            Set<NDArray> produced,
            Map<NDArray, NDArray> upstream,
            List<NDArray> external) {
        List<NDArray> gradients = new ArrayList<>();
        boolean any = false;
        for (NDArray out : segment.outputs()) {
            NDArray fromSegments = upstream.remove(out);
            if (fromSegments != null) {
                fromSegments.attach(work); // freed with the segment's recomputation
            }
            NDArray fromGraph = LibTorch.gradient(out, work);
            NDArray g =
                    fromSegments == null ? fromGraph : fromGraph == null ? fromSegments : fromSegments.add(fromGraph);
            gradients.add(g);
            any |= g != null;
        }
        if (!any) {
            return; // nothing that reached the loss used this segment's outputs
        }
        List<NDArray> inputs = new ArrayList<>();
        List<NDArray> leaves = new ArrayList<>();
        for (NDArray input : segment.inputs()) {
            if (input != null && (produced.contains(input) || TorchOps.requiresGrad(input))) {
                NDArray leaf = input.stopGradient();
                leaf.attach(work);
                leaf.setRequiresGradient(true);
                inputs.add(leaf);
                leaves.add(leaf);
            } else {
                inputs.add(input);
                leaves.add(null);
            }
        }
        LibTorch.setGradMode(true);
        List<NDArray> outputs;
        try (Autocast region = Autocast.enable(segment.autocast())) {
            outputs = segment.body().forward(work, inputs);
        }
        NDArray total = weightedSum(work, outputs, gradients);
        LibTorch.backward(total, work.ones(total.getShape(), total.getDataType(), total.getDevice()), false, false);
        LibTorch.setGradMode(false);
        for (int i = 0; i < leaves.size(); i++) {
            NDArray leaf = leaves.get(i);
            NDArray g = leaf == null ? null : LibTorch.gradient(leaf, scope);
            if (g == null) {
                continue;
            }
            NDArray input = segment.inputs().get(i);
            NDArray before = upstream.get(input);
            if (before == null) {
                upstream.put(input, g);
                if (!produced.contains(input)) {
                    external.add(input); // first time: every later find has a sum in upstream already
                }
            } else {
                upstream.put(input, before.add(g));
                before.close();
                g.close();
            }
        }
    }

    /** Σ sum(tensor × gradient) over the pairs with a gradient (float32), or null when there is none. */
    private static NDArray weightedSum(NDManager work, List<NDArray> tensors, List<NDArray> gradients) {
        NDArray total = null;
        for (int i = 0; i < tensors.size(); i++) {
            NDArray g = gradients.get(i);
            if (g == null) {
                continue;
            }
            NDArray term = tensors.get(i).mul(g).sum();
            term.attach(work);
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    private static Set<NDArray> identitySet(List<NDArray> arrays) {
        Set<NDArray> set = Collections.newSetFromMap(new IdentityHashMap<>());
        arrays.stream().filter(a -> a != null).forEach(set::add);
        return set;
    }

    /** Leaves the region; the kept inputs and outputs go when the scope given to {@link #begin} closes. */
    @Override
    public void close() {
        segments.clear();
        if (enabled) {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                ACTIVE.set(previous);
            }
        }
    }
}
