package dev.easel.engine.train;

import dev.easel.engine.BadValueException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The learning-rate schedules of diffusers' {@code get_scheduler}, as the factor applied to the base rate after
 * {@code step} optimizer steps (so the first step uses {@code factor(0)}; with warmup that is 0, as in diffusers).
 *
 * @param warmupSteps steps of linear warmup from 0 to the base rate
 * @param totalSteps steps of the whole run (linear and cosine decay reach 0 there)
 */
public record LearningRateSchedule(Kind kind, int warmupSteps, int totalSteps) {

    /** The schedule's shape, named as in diffusers. */
    public enum Kind {
        CONSTANT,
        CONSTANT_WITH_WARMUP,
        LINEAR,
        COSINE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The kind called {@code name} (e.g. {@code constant_with_warmup}), or a one-line error listing them. */
        public static Kind named(String name) {
            return Arrays.stream(values())
                    .filter(k -> k.id().equalsIgnoreCase(name.strip()))
                    .findFirst()
                    .orElseThrow(
                            () -> new BadValueException("unknown learning-rate scheduler '" + name + "'; use one of "
                                    + Arrays.stream(values()).map(Kind::id).collect(Collectors.joining(", "))));
        }
    }

    public LearningRateSchedule {
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new BadValueException(
                    "warmup steps must be ≥ 0 and total steps ≥ 1, got " + warmupSteps + " and " + totalSteps);
        }
    }

    public static LearningRateSchedule constant() {
        return new LearningRateSchedule(Kind.CONSTANT, 0, 1);
    }

    /** The factor for the optimizer step that follows {@code step} completed steps. */
    public double factor(long step) {
        if (kind == Kind.CONSTANT) {
            return 1.0;
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (kind) {
            case CONSTANT, CONSTANT_WITH_WARMUP -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            // diffusers' default half cosine: num_cycles 0.5.
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }
}
