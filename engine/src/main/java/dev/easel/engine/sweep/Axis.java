package dev.easel.engine.sweep;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One axis of a sweep: which setting varies and the values it takes, in order. Values are {@code Long} for whole
 * numbers, {@code Double} for decimals, {@code String} for text and {@link ImageSize} for sizes.
 *
 * <p>Write one as text, {@code Axis.parse("cfg:3-9 [4]")}, or typed, {@code Axis.steps(10, 20, 30)}.
 */
public record Axis(AxisType type, List<Object> values) {

    public Axis {
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new AxisSyntaxException(type.id() + " axis: no values");
        }
    }

    /**
     * Reads {@code TYPE:VALUES}, e.g. {@code steps:10,20,30}, {@code cfg:3-9 [4]}, {@code sampler:euler,ddim},
     * {@code prompt_sr:circle,square}.
     */
    public static Axis parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw new AxisSyntaxException(
                    "axis '" + spec.strip() + "' needs the form TYPE:VALUES, e.g. steps:10,20,30");
        }
        String name = spec.substring(0, colon).strip();
        AxisType type = AxisType.named(name)
                .orElseThrow(() -> new AxisSyntaxException("unknown axis '" + name + "'; axes are "
                        + Arrays.stream(AxisType.values()).map(AxisType::id).collect(Collectors.joining(", "))));
        return new Axis(type, new AxisValueParser(type).parse(spec.substring(colon + 1)));
    }

    public static Axis seed(long... seeds) {
        return new Axis(
                AxisType.SEED,
                Arrays.stream(seeds).boxed().map(Object.class::cast).toList());
    }

    public static Axis steps(int... steps) {
        return new Axis(
                AxisType.STEPS,
                Arrays.stream(steps).mapToObj(s -> (Object) (long) s).toList());
    }

    public static Axis cfg(double... scales) {
        return new Axis(
                AxisType.CFG,
                Arrays.stream(scales).boxed().map(Object.class::cast).toList());
    }

    public static Axis sampler(String... samplers) {
        return new Axis(AxisType.SAMPLER, List.of((Object[]) samplers));
    }

    /** Prompt search/replace: the first value is searched for, each value (the first included) replaces it. */
    public static Axis promptSr(String search, String... replacements) {
        Object[] all = new Object[replacements.length + 1];
        all[0] = search;
        System.arraycopy(replacements, 0, all, 1, replacements.length);
        return new Axis(AxisType.PROMPT_SR, List.of(all));
    }

    public static Axis of(AxisType type, Object... values) {
        return new Axis(type, List.of(values));
    }

    public int size() {
        return values.size();
    }

    /** The label of value {@code i} in grids: {@code Steps: 20}; prompt S/R, model and checkpoint values stand alone. */
    public String label(int i) {
        Object value = values.get(i);
        String text = value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15
                ? String.format("%.1f", d)
                : String.valueOf(value);
        return switch (type) {
            case PROMPT_SR, MODEL -> text;
            // A checkpoint is a long path; its folder (checkpoint-400) says which one.
            case CHECKPOINT -> Path.of(text).getFileName().toString();
            case VAE -> type.label() + ": " + Path.of(text).getFileName();
            default -> type.label() + ": " + text;
        };
    }

    /** This axis with every seed of -1 replaced by one random seed drawn for the whole sweep. */
    public Axis withRandomSeedsResolved(Random random) {
        if (type != AxisType.SEED || !values.contains(-1L)) {
            return this;
        }
        long drawn = random.nextInt(Integer.MAX_VALUE);
        return new Axis(
                type,
                values.stream().map(v -> v.equals(-1L) ? (Object) drawn : v).toList());
    }
}
