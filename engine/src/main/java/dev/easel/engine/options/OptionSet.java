package dev.easel.engine.options;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The options of one command, in the order help lists them; each surface (command line, magics) sees its own. */
public final class OptionSet {

    private final Map<String, Option> options;

    private OptionSet(Map<String, Option> options) {
        this.options = options;
    }

    public static OptionSet of(Option... options) {
        return new OptionSet(new LinkedHashMap<>()).plus(options);
    }

    /** This set with {@code more} added (an option of the same name replaced in place). */
    public OptionSet plus(Option... more) {
        Map<String, Option> all = new LinkedHashMap<>(options);
        Arrays.stream(more).forEach(o -> all.put(o.name(), o));
        return new OptionSet(all);
    }

    /** This set with {@code more}'s options added. */
    public OptionSet plus(OptionSet more) {
        return plus(more.options.values().toArray(Option[]::new));
    }

    /** This set without the named options. */
    public OptionSet without(String... names) {
        Map<String, Option> all = new LinkedHashMap<>(options);
        Arrays.stream(names).forEach(all::remove);
        return new OptionSet(all);
    }

    /** The options offered on {@code where}, in order. */
    public List<Option> on(Option.Surface where) {
        return options.values().stream()
                .filter(o -> o.surface().includes(where))
                .toList();
    }

    /** The option offered on {@code where} that {@code --typed} names (its name or an alias). */
    public Optional<Option> find(String typed, Option.Surface where) {
        return on(where).stream().filter(o -> o.answersTo(typed)).findFirst();
    }

    /** Every name (and alias) offered on {@code where}, for "did you mean" and completion. */
    public List<String> names(Option.Surface where) {
        List<String> names = new ArrayList<>();
        on(where).forEach(o -> {
            names.add(o.name());
            names.addAll(o.aliases());
        });
        return names;
    }

    /** The "Options:" lines of a help text: {@code --name METAVAR  help [range] (default …)}. */
    public String help(Option.Surface where) {
        StringBuilder out = new StringBuilder();
        for (Option o : on(where)) {
            out.append(line(o.synopsis(), o.describe()));
        }
        return out.toString();
    }

    /** One help line, left column padded as every Easel help writes it. */
    public static String line(String left, String right) {
        return String.format("  %-22s %s%n", left, right);
    }
}
