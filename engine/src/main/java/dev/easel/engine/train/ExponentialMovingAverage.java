package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of model weights, as diffusers' {@code EMAModel} keeps for the UNet: after
 * optimizer step {@code t} the decay is {@code min(maxDecay, (1 + t) / (10 + t))}, so early averages follow the
 * fast-changing weights and later ones smooth them; {@code shadow ← shadow − (1 − decay)(shadow − weight)}.
 */
public final class ExponentialMovingAverage implements AutoCloseable {

    private final double maxDecay;
    private final NDManager manager;
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();

    public ExponentialMovingAverage(Map<String, NDArray> weights, double maxDecay, NDManager parent) {
        this.maxDecay = maxDecay;
        this.manager = parent.newSubManager();
        weights.forEach((name, weight) -> {
            NDArray copy = weight.duplicate();
            copy.attach(manager);
            shadow.put(name, copy);
        });
    }

    /** The decay used after {@code optimizerStep} steps (1-based), as diffusers computes it without warmup. */
    public double decay(long optimizerStep) {
        long step = optimizerStep - 1;
        if (step <= 0) {
            return 0.0;
        }
        return Math.min(maxDecay, (1.0 + step) / (10.0 + step));
    }

    /** Moves the averages towards {@code weights} after optimizer step {@code optimizerStep}. */
    public void update(Map<String, NDArray> weights, long optimizerStep) {
        double oneMinusDecay = 1 - decay(optimizerStep);
        weights.forEach((name, weight) -> {
            NDArray average = shadow.get(name);
            try (NDManager scope = manager.newSubManager()) {
                scope.tempAttachAll(new NDList(average, weight));
                average.subi(average.sub(weight).muli(oneMinusDecay));
            }
        });
    }

    /** The averaged weights by name (live arrays; copy before changing them). */
    public Map<String, NDArray> weights() {
        return shadow;
    }

    @Override
    public void close() {
        manager.close();
    }
}
