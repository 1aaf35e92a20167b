package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, computed as {@code torch.optim.AdamW} does (no amsgrad):
 * <pre>
 *   p ← p·(1 − lr·λ)
 *   m ← β₁m + (1 − β₁)g        v ← β₂v + (1 − β₂)g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * Written here rather than taken from DJL because DJL's optimizer state is never freed and cannot be saved; this
 * one keeps its moments in its own manager, exposes them for checkpoints, and updates parameters in place (callers
 * run it with gradient recording off).
 */
public final class AdamW implements AutoCloseable {

    /** Hyper-parameters with diffusers' train_dreambooth defaults. */
    public record Settings(double beta1, double beta2, double weightDecay, double epsilon) {

        public static final Settings DEFAULT = new Settings(0.9, 0.999, 1e-2, 1e-8);
    }

    private final Settings settings;
    private final NDManager stateManager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long step;

    public AdamW(Settings settings, NDManager parent) {
        this.settings = settings;
        this.stateManager = parent.newSubManager();
    }

    public long step() {
        return step;
    }

    /**
     * One update of every parameter that has a gradient in {@code gradients} (same names), at learning rate
     * {@code lr}. Temporaries live in a scope closed before returning.
     */
    public void update(Map<String, NDArray> parameters, Map<String, NDArray> gradients, double lr) {
        step++;
        double biasCorrection1 = 1 - Math.pow(settings.beta1(), step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(settings.beta2(), step));
        double stepSize = lr / biasCorrection1;
        for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
            NDArray gradient = gradients.get(entry.getKey());
            if (gradient == null) {
                continue;
            }
            NDArray parameter = entry.getValue();
            NDArray m = firstMoments.computeIfAbsent(entry.getKey(), k -> zerosLike(parameter));
            NDArray v = secondMoments.computeIfAbsent(entry.getKey(), k -> zerosLike(parameter));
            try (NDManager scope = stateManager.newSubManager()) {
                scope.tempAttachAll(new NDList(parameter, gradient, m, v));
                if (settings.weightDecay() != 0) {
                    parameter.muli(1 - lr * settings.weightDecay());
                }
                m.muli(settings.beta1()).addi(gradient.mul(1 - settings.beta1()));
                v.muli(settings.beta2()).addi(gradient.square().muli(1 - settings.beta2()));
                NDArray denominator = v.sqrt().divi(biasCorrection2Sqrt).addi(settings.epsilon());
                parameter.subi(m.div(denominator).muli(stepSize));
            }
        }
    }

    /** The optimizer's state for a checkpoint: {@code exp_avg.NAME}, {@code exp_avg_sq.NAME}. Arrays are live. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        firstMoments.forEach((name, m) -> state.put("exp_avg." + name, m));
        secondMoments.forEach((name, v) -> state.put("exp_avg_sq." + name, v));
        return state;
    }

    /** Restores moments saved by {@link #state()} and the step count, for an exact resume. */
    public void restore(Map<String, NDArray> state, long completedSteps) {
        firstMoments.values().forEach(NDArray::close);
        secondMoments.values().forEach(NDArray::close);
        firstMoments.clear();
        secondMoments.clear();
        state.forEach((key, array) -> {
            NDArray copy = array.duplicate();
            copy.attach(stateManager);
            if (key.startsWith("exp_avg_sq.")) {
                secondMoments.put(key.substring("exp_avg_sq.".length()), copy);
            } else if (key.startsWith("exp_avg.")) {
                firstMoments.put(key.substring("exp_avg.".length()), copy);
            } else {
                throw new EngineException("optimizer state has an unknown entry " + key);
            }
        });
        this.step = completedSteps;
    }

    private NDArray zerosLike(NDArray parameter) {
        return stateManager.zeros(parameter.getShape(), parameter.getDataType(), parameter.getDevice());
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
