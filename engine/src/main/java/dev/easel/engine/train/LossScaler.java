package dev.easel.engine.train;

import dev.easel.engine.EngineException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling for float16 training, as {@code torch.cuda.amp.GradScaler} does it with its defaults: the
 * loss is multiplied by a large scale before the backward pass so that small gradients do not flush to zero in
 * float16, and the gradients are divided by it again before clipping. A step whose gradients overflowed is skipped
 * and the scale halved; after {@value #GROWTH_INTERVAL} good steps in a row it doubles.
 */
public final class LossScaler {

    static final double INITIAL_SCALE = 65536.0;
    static final double GROWTH_FACTOR = 2.0;
    static final double BACKOFF_FACTOR = 0.5;
    static final int GROWTH_INTERVAL = 2000;

    private double scale;
    private int goodSteps;

    public LossScaler() {
        this(INITIAL_SCALE, 0);
    }

    private LossScaler(double scale, int goodSteps) {
        this.scale = scale;
        this.goodSteps = goodSteps;
    }

    public double scale() {
        return scale;
    }

    /** After a step: {@code finite} false when its gradients overflowed (the step was skipped). */
    public void update(boolean finite) {
        if (!finite) {
            scale *= BACKOFF_FACTOR;
            goodSteps = 0;
        } else if (++goodSteps == GROWTH_INTERVAL) {
            scale *= GROWTH_FACTOR;
            goodSteps = 0;
        }
    }

    /** The state a checkpoint keeps (GradScaler's {@code scale} and {@code _growth_tracker}). */
    public Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("scale", scale);
        state.put("growth_tracker", goodSteps);
        return state;
    }

    /** A scaler continuing from {@link #state()}. */
    public static LossScaler fromState(Map<?, ?> state) {
        if (!(state.get("scale") instanceof Number s) || !(state.get("growth_tracker") instanceof Number g)) {
            throw new EngineException("the checkpoint's loss scale state is incomplete: " + state);
        }
        return new LossScaler(s.doubleValue(), g.intValue());
    }
}
