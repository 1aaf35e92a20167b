package dev.easel.magics.spec;

import dev.easel.magics.MagicException;
import java.util.List;
import java.util.Locale;

/**
 * One {@code --name value} option of a magic: its type, default and help, declared once and used for parsing, for
 * {@code --help} and for Tab completion. Build with the static factories, then refine with {@link #min}/{@link #max}:
 * <pre>{@code Option.integer("steps", "N", 20, "sampling steps").min(1)}</pre>
 */
public record Option(String name, Type type, String metavar, Object defaultValue, String help, List<String> choices,
                     Double min, Double max) {

    /** What the value is; {@link #FLAG} takes no value. */
    public enum Type { INT, LONG, FLOAT, STRING, CHOICE, SIZE, FLAG }

    /** A size such as {@code 512x768}: width × height in pixels. */
    public record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    public Option {
        choices = choices == null ? List.of() : List.copyOf(choices);
    }

    public static Option integer(String name, String metavar, Integer defaultValue, String help) {
        return new Option(name, Type.INT, metavar, defaultValue, help, null, null, null);
    }

    /** A whole number that may exceed 2^31, e.g. a seed. */
    public static Option longInteger(String name, String metavar, Long defaultValue, String help) {
        return new Option(name, Type.LONG, metavar, defaultValue, help, null, null, null);
    }

    public static Option floating(String name, String metavar, Double defaultValue, String help) {
        return new Option(name, Type.FLOAT, metavar, defaultValue, help, null, null, null);
    }

    public static Option string(String name, String metavar, String defaultValue, String help) {
        return new Option(name, Type.STRING, metavar, defaultValue, help, null, null, null);
    }

    /** One of a fixed set of words, matched case-insensitively; the value is the spelling in {@code choices}. */
    public static Option choice(String name, List<String> choices, String defaultValue, String help) {
        return new Option(name, Type.CHOICE, String.join("|", choices), defaultValue, help, choices, null, null);
    }

    public static Option size(String name, Size defaultValue, String help) {
        return new Option(name, Type.SIZE, "WxH", defaultValue, help, null, null, null);
    }

    public static Option flag(String name, String help) {
        return new Option(name, Type.FLAG, null, Boolean.FALSE, help, null, null, null);
    }

    public Option min(double lowest) {
        return new Option(name, type, metavar, defaultValue, help, choices, lowest, max);
    }

    public Option max(double highest) {
        return new Option(name, type, metavar, defaultValue, help, choices, min, highest);
    }

    public String spelled() {
        return "--" + name;
    }

    public boolean takesValue() {
        return type != Type.FLAG;
    }

    /** Converts the text after {@code --name} into the typed value, or says in one line what was expected. */
    public Object convert(String text) {
        return switch (type) {
            case INT -> checkRange(parseInt(text), text);
            case LONG -> checkRange(parseLong(text), text);
            case FLOAT -> checkRange(parseFloat(text), text);
            case STRING -> text;
            case CHOICE -> choices.stream().filter(c -> c.equalsIgnoreCase(text)).findFirst()
                    .orElseThrow(() -> new MagicException(spelled() + " takes one of " + String.join(", ", choices)
                            + ", got '" + text + "'" + Suggest.hint(text, choices, "")));
            case SIZE -> parseSize(text);
            case FLAG -> Boolean.TRUE;
        };
    }

    private int parseInt(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new MagicException(spelled() + " takes a whole number, got '" + text + "'");
        }
    }

    private long parseLong(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new MagicException(spelled() + " takes a whole number, got '" + text + "'");
        }
    }

    private double parseFloat(String text) {
        try {
            double value = Double.parseDouble(text.strip());
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new MagicException(spelled() + " takes a number such as 7.5, got '" + text + "'");
        }
    }

    private <N extends Number> N checkRange(N value, String text) {
        double v = value.doubleValue();
        if (min != null && v < min || max != null && v > max) {
            throw new MagicException(spelled() + " takes " + rangeText() + ", got " + text.strip());
        }
        return value;
    }

    private String rangeText() {
        String what = type == Type.FLOAT ? "a number" : "a whole number";
        if (min != null && max != null) {
            return what + " from " + fmt(min) + " to " + fmt(max);
        }
        return min != null ? what + " ≥ " + fmt(min) : what + " ≤ " + fmt(max);
    }

    private Size parseSize(String text) {
        String[] parts = text.strip().toLowerCase(Locale.ROOT).split("[x×]");
        try {
            if (parts.length == 2) {
                int width = Integer.parseInt(parts[0]);
                int height = Integer.parseInt(parts[1]);
                if (width > 0 && height > 0) {
                    return new Size(width, height);
                }
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new MagicException(spelled() + " takes WIDTHxHEIGHT in pixels such as 512x512, got '" + text + "'");
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
