package dev.easel.magics.spec;

import dev.easel.engine.options.Option;
import dev.easel.engine.options.OptionValues;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed argument values of one magic call, as declared by its {@link MagicSpec}: every option has its value (the
 * default when not given), {@link #given} tells whether the user wrote it, {@link #all} holds each value of a
 * repeatable option, positionals are looked up by metavar.
 */
public final class ParsedArgs {

    private final String spelled;
    private final OptionValues values;
    private final Map<String, List<String>> positionals;

    ParsedArgs(String spelled, OptionValues values, Map<String, List<String>> positionals) {
        this.spelled = spelled;
        this.values = values;
        this.positionals = positionals;
    }

    /** How the magic was called, e.g. {@code %txt2img}, for messages. */
    public String spelled() {
        return spelled;
    }

    /** The option values alone, as the engine's command-line parser gives them. */
    public OptionValues options() {
        return values;
    }

    public boolean given(String option) {
        return values.given(option);
    }

    public Object value(String option) {
        return values.value(option);
    }

    /** Every value of a repeatable option, in order. */
    public List<String> all(String option) {
        return values.strings(option);
    }

    public Integer integer(String option) {
        return values.integer(option);
    }

    public Long longInteger(String option) {
        return values.longInteger(option);
    }

    public Double number(String option) {
        return values.number(option);
    }

    public String string(String option) {
        return values.string(option);
    }

    public Option.Size size(String option) {
        return values.size(option);
    }

    public boolean flag(String option) {
        return values.flag(option);
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
