package dev.easel.engine.options;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code --name value} option: its type, default, range and help, declared once and used by the command line
 * and the magics alike for parsing, for {@code --help} and for Tab completion. Build with the static factories, then
 * refine with {@link #min}/{@link #max}, {@link #alias}, {@link #repeated()} and {@link #only}:
 * <pre>{@code Option.integer("steps", "N", 20, "sampling steps").min(1)}</pre>
 * A bad value is an {@link OptionException} naming the option and what it takes; numbers must be finite
 * ({@code NaN} and {@code Infinity} are refused everywhere a number is read).
 *
 * @param aliases other names the option is accepted under (e.g. {@code init} for {@code init-image})
 * @param repeatable whether it may be given several times, each value kept in order
 * @param surface where the option exists: the command line, notebooks (magics), or both
 */
public record Option(
        String name,
        Type type,
        String metavar,
        Object defaultValue,
        String help,
        List<String> choices,
        Double min,
        Double max,
        List<String> aliases,
        boolean repeatable,
        Surface surface) {

    /** What the value is; {@link #FLAG} takes no value. */
    public enum Type {
        INT,
        LONG,
        FLOAT,
        STRING,
        CHOICE,
        SIZE,
        FLAG
    }

    /** Where an option is offered. */
    public enum Surface {
        BOTH,
        COMMAND_LINE,
        NOTEBOOK;

        /** Whether an option of this surface is offered on {@code where}. */
        public boolean includes(Surface where) {
            return this == BOTH || where == BOTH || this == where;
        }
    }

    /** A size such as {@code 512x768}: width × height in pixels. */
    public record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    public Option {
        choices = choices == null ? List.of() : List.copyOf(choices);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        surface = surface == null ? Surface.BOTH : surface;
    }

    private Option(String name, Type type, String metavar, Object defaultValue, String help, List<String> choices) {
        this(name, type, metavar, defaultValue, help, choices, null, null, null, false, Surface.BOTH);
    }

    public static Option integer(String name, String metavar, Integer defaultValue, String help) {
        return new Option(name, Type.INT, metavar, defaultValue, help, null);
    }

    /** A whole number that may exceed 2^31, e.g. a seed. */
    public static Option longInteger(String name, String metavar, Long defaultValue, String help) {
        return new Option(name, Type.LONG, metavar, defaultValue, help, null);
    }

    public static Option floating(String name, String metavar, Double defaultValue, String help) {
        return new Option(name, Type.FLOAT, metavar, defaultValue, help, null);
    }

    public static Option string(String name, String metavar, String defaultValue, String help) {
        return new Option(name, Type.STRING, metavar, defaultValue, help, null);
    }

    /** One of a fixed set of words, matched case-insensitively; the value is the spelling in {@code choices}. */
    public static Option choice(String name, List<String> choices, String defaultValue, String help) {
        return new Option(name, Type.CHOICE, String.join("|", choices), defaultValue, help, choices);
    }

    public static Option size(String name, Size defaultValue, String help) {
        return new Option(name, Type.SIZE, "WxH", defaultValue, help, null);
    }

    public static Option flag(String name, String help) {
        return new Option(name, Type.FLAG, null, Boolean.FALSE, help, null);
    }

    public Option min(double lowest) {
        return new Option(name, type, metavar, defaultValue, help, choices, lowest, max, aliases, repeatable, surface);
    }

    public Option max(double highest) {
        return new Option(name, type, metavar, defaultValue, help, choices, min, highest, aliases, repeatable, surface);
    }

    /** The same option with another help text (where a command uses it in its own way). */
    public Option withHelp(String text) {
        return new Option(name, type, metavar, defaultValue, text, choices, min, max, aliases, repeatable, surface);
    }

    /** Also accepted as {@code --other}. */
    public Option alias(String other) {
        List<String> more = new ArrayList<>(aliases);
        more.add(other);
        return new Option(name, type, metavar, defaultValue, help, choices, min, max, more, repeatable, surface);
    }

    /** May be given several times; every value is kept, in order. */
    public Option repeated() {
        return new Option(name, type, metavar, defaultValue, help, choices, min, max, aliases, true, surface);
    }

    /** Offered only on {@code where} (the command line or notebooks). */
    public Option only(Surface where) {
        return new Option(name, type, metavar, defaultValue, help, choices, min, max, aliases, repeatable, where);
    }

    /** Whether {@code --typed} means this option (its name or an alias). */
    public boolean answersTo(String typed) {
        return name.equals(typed) || aliases.contains(typed);
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
            case CHOICE ->
                choices.stream()
                        .filter(c -> c.equalsIgnoreCase(text))
                        .findFirst()
                        .orElseThrow(() -> new OptionException(spelled() + " takes one of " + String.join(", ", choices)
                                + ", got '" + text + "'" + Suggest.hint(text, choices, "")));
            case SIZE -> parseSize(text);
            case FLAG -> Boolean.TRUE;
        };
    }

    private int parseInt(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new OptionException(spelled() + " takes a whole number, got '" + text + "'");
        }
    }

    private long parseLong(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new OptionException(spelled() + " takes a whole number, got '" + text + "'");
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
            throw new OptionException(spelled() + " takes a number such as 7.5, got '" + text + "'");
        }
    }

    private <N extends Number> N checkRange(N value, String text) {
        double v = value.doubleValue();
        if (min != null && v < min || max != null && v > max) {
            throw new OptionException(spelled() + " takes " + rangeText() + ", got " + text.strip());
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
        throw new OptionException(spelled() + " takes WIDTHxHEIGHT in pixels such as 512x512, got '" + text + "'");
    }

    /** The help line's right side: the help, then the range and the default when there is one. */
    public String describe() {
        StringBuilder right = new StringBuilder(help);
        if (min != null || max != null) {
            right.append(" [")
                    .append(min == null ? "" : fmt(min))
                    .append("..")
                    .append(max == null ? "" : fmt(max))
                    .append(']');
        }
        if (defaultValue != null && takesValue() && !"".equals(defaultValue)) {
            right.append(" (default ")
                    .append(defaultValue instanceof Double d ? fmt(d) : defaultValue)
                    .append(')');
        }
        if (repeatable) {
            right.append(" (repeatable)");
        }
        return right.toString();
    }

    /** {@code --name METAVAR}, with the aliases: the help line's left side. */
    public String synopsis() {
        StringBuilder left = new StringBuilder(spelled());
        aliases.forEach(a -> left.append(", --").append(a));
        return takesValue() ? left.append(' ').append(metavar).toString() : left.toString();
    }

    /** A number as help writes it: {@code 7}, not {@code 7.0}. */
    public static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
