package dev.easel.engine.options;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The typed values of a parsed command line or magic line: every declared option has its value (the default when it
 * was not given), {@link #given} tells whether the user wrote it, {@link #all} holds every value of a repeatable one.
 */
public final class OptionValues {

    private final Map<String, Option> declared = new LinkedHashMap<>();
    private final Map<String, List<Object>> given = new LinkedHashMap<>();

    public OptionValues(List<Option> options) {
        options.forEach(o -> declared.put(o.name(), o));
    }

    /** Records one value of {@code option} (a repeated one adds, another replaces). */
    public void add(Option option, Object value) {
        List<Object> values = given.computeIfAbsent(option.name(), k -> new ArrayList<>());
        if (!option.repeatable()) {
            values.clear();
        }
        values.add(value);
    }

    /** Whether the option set these values were read with declares {@code option}. */
    public boolean declares(String option) {
        return declared.containsKey(option);
    }

    public boolean given(String option) {
        declaration(option);
        return given.containsKey(option);
    }

    /** The last value given, else the default. */
    public Object value(String option) {
        Option o = declaration(option);
        List<Object> values = given.get(option);
        return values == null ? o.defaultValue() : values.get(values.size() - 1);
    }

    /** Every value given, in order; none when the option was not given. */
    public List<Object> all(String option) {
        declaration(option);
        return List.copyOf(given.getOrDefault(option, List.of()));
    }

    /** Every value given of a text option, in order. */
    public List<String> strings(String option) {
        return all(option).stream().map(String.class::cast).toList();
    }

    public Integer integer(String option) {
        return (Integer) value(option);
    }

    public Long longInteger(String option) {
        return (Long) value(option);
    }

    public Double number(String option) {
        return (Double) value(option);
    }

    public String string(String option) {
        return (String) value(option);
    }

    public Option.Size size(String option) {
        return (Option.Size) value(option);
    }

    public boolean flag(String option) {
        return Boolean.TRUE.equals(value(option));
    }

    /** The value of an option that must be given, or the one-line error saying so. */
    public String required(String option) {
        String value = string(option);
        if (value == null || value.isBlank()) {
            throw new OptionException("missing required option --" + option);
        }
        return value;
    }

    private Option declaration(String option) {
        Option o = declared.get(option);
        if (o == null) {
            throw new IllegalArgumentException("no option --" + option + " is declared here");
        }
        return o;
    }

    @Override
    public String toString() {
        return given.toString();
    }
}
