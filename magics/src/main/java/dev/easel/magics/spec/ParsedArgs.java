package dev.easel.magics.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed argument values of one magic call, as declared by its {@link MagicSpec}: every option has its value (the
 * default when not given), {@link #given} tells whether the user wrote it, positionals are looked up by metavar.
 */
public final class ParsedArgs {

    private final String spelled;
    private final Map<String, Object> values;
    private final Map<String, Object> given;
    private final Map<String, List<String>> positionals;

    ParsedArgs(String spelled, Map<String, Object> values, Map<String, Object> given,
               Map<String, List<String>> positionals) {
        this.spelled = spelled;
        this.values = values;
        this.given = given;
        this.positionals = positionals;
    }

    /** How the magic was called, e.g. {@code %txt2img}, for messages. */
    public String spelled() {
        return spelled;
    }

    public boolean given(String option) {
        return given.containsKey(option);
    }

    public Object value(String option) {
        if (!values.containsKey(option)) {
            throw new IllegalArgumentException(spelled + " declares no option --" + option);
        }
        return values.get(option);
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

    /** The value of a single positional argument, empty when it was optional and left out. */
    public Optional<String> positional(String metavar) {
        List<String> all = positionals(metavar);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    public List<String> positionals(String metavar) {
        return positionals.getOrDefault(metavar, List.of());
    }

    @Override
    public String toString() {
        return spelled + " " + values + " " + positionals;
    }
}
