package dev.easel.magics.spec;

import dev.easel.engine.options.Option;
import dev.easel.engine.options.OptionException;
import dev.easel.engine.options.OptionSet;
import dev.easel.engine.options.OptionValues;
import dev.easel.engine.options.Suggest;
import dev.easel.magics.MagicException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The declared command line of one magic: its options, its positional arguments and whether it is a line and/or a
 * cell magic. The same declaration parses the arguments into typed values ({@link #parse}), writes the
 * {@code --help} text ({@link #help}) and feeds Tab completion ({@link #optionNames}).
 *
 * <pre>{@code
 * MagicSpec.magic("txt2img", "Draw images from a text prompt")
 *     .option(Option.integer("steps", "N", 20, "sampling steps").min(1))
 *     .rest("PROMPT", "what to draw (the rest of the line)")
 *     .cellBody("the prompt")
 *     .example("%txt2img --steps 20 --seed 42 a red circle");
 * }</pre>
 */
public final class MagicSpec {

    /** How many words a positional argument takes; {@link #REST} takes the rest of the line verbatim. */
    public enum Arity {
        OPTIONAL,
        REQUIRED,
        MANY,
        REST
    }

    public record Positional(String metavar, String help, Arity arity) {}

    private final String name;
    private final String summary;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final List<Positional> positionals = new ArrayList<>();
    private final List<String> examples = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private boolean lineMagic = true;
    private String cellBody;

    private MagicSpec(String name, String summary) {
        this.name = name;
        this.summary = summary;
    }

    public static MagicSpec magic(String name, String summary) {
        return new MagicSpec(name, summary);
    }

    public MagicSpec option(Option option) {
        options.put(option.name(), option);
        return this;
    }

    /**
     * Every option of a command declared in the engine ({@link dev.easel.engine.options.CommandOptions}) that
     * notebooks are offered: the magic and the command line share one declaration.
     */
    public MagicSpec options(OptionSet declared) {
        declared.on(Option.Surface.NOTEBOOK).forEach(this::option);
        return this;
    }

    /** The option {@code --typed} names: its name or an alias. */
    private Option find(String typed) {
        Option named = options.get(typed);
        return named != null
                ? named
                : options.values().stream()
                        .filter(o -> o.answersTo(typed))
                        .findFirst()
                        .orElse(null);
    }

    public MagicSpec positional(String metavar, String help) {
        return add(new Positional(metavar, help, Arity.REQUIRED));
    }

    public MagicSpec optionalPositional(String metavar, String help) {
        return add(new Positional(metavar, help, Arity.OPTIONAL));
    }

    public MagicSpec manyPositional(String metavar, String help) {
        return add(new Positional(metavar, help, Arity.MANY));
    }

    /** The rest of the line after the options, verbatim (a single quoted word is unquoted). Options must come first. */
    public MagicSpec rest(String metavar, String help) {
        return add(new Positional(metavar, help, Arity.REST));
    }

    /** Also accept {@code %%name}; {@code body} says what the cell body is, for the help. */
    public MagicSpec cellBody(String body) {
        this.cellBody = body;
        return this;
    }

    /** Only {@code %%name} is accepted. */
    public MagicSpec cellOnly(String body) {
        this.cellBody = body;
        this.lineMagic = false;
        return this;
    }

    public MagicSpec example(String example) {
        examples.add(example);
        return this;
    }

    public MagicSpec note(String note) {
        notes.add(note);
        return this;
    }

    private MagicSpec add(Positional positional) {
        if (!positionals.isEmpty()) {
            Arity last = positionals.get(positionals.size() - 1).arity();
            if (last == Arity.MANY || last == Arity.REST) {
                throw new IllegalStateException(name + ": nothing can follow a " + last + " positional");
            }
        }
        positionals.add(positional);
        return this;
    }

    public String name() {
        return name;
    }

    public String summary() {
        return summary;
    }

    public boolean isLineMagic() {
        return lineMagic;
    }

    public boolean isCellMagic() {
        return cellBody != null;
    }

    public Map<String, Option> options() {
        return Map.copyOf(options);
    }

    public Optional<Option> option(String optionName) {
        return Optional.ofNullable(options.get(optionName));
    }

    /** The positional arguments, in order. */
    public List<Positional> positionals() {
        return List.copyOf(positionals);
    }

    /** {@code --name} for each option (and alias) plus {@code --help}, in declaration order. */
    public List<String> optionNames() {
        List<String> names = new ArrayList<>();
        options.values().forEach(o -> {
            names.add(o.spelled());
            o.aliases().forEach(a -> names.add("--" + a));
        });
        names.add("--help");
        return names;
    }

    /** Parses an argument line. {@code spelled} is how the user called the magic, for messages. */
    public ParsedArgs parse(String args, String spelled) {
        String line = args == null ? "" : args;
        OptionValues values = new OptionValues(List.copyOf(options.values()));
        List<String> loose = new ArrayList<>();
        String rest = null;
        boolean optionsDone = false;
        boolean hasRest = !positionals.isEmpty()
                && positionals.get(positionals.size() - 1).arity() == Arity.REST;
        int fixedBeforeRest = hasRest ? positionals.size() - 1 : Integer.MAX_VALUE;
        int position = 0;
        while (true) {
            position = ShellWords.skipWhitespace(line, position);
            if (position >= line.length()) {
                break;
            }
            if (hasRest && loose.size() >= fixedBeforeRest && (optionsDone || line.charAt(position) != '-')) {
                // The rest of the line is taken verbatim: prompts may hold apostrophes, commas and brackets.
                rest = unquoteWhole(line.substring(position).strip());
                break;
            }
            ShellWords.Word word = ShellWords.next(line, position);
            position = word.end();
            String text = word.value();
            boolean bareDashes = line.startsWith("--", word.start()); // a quoted "--x" is text, not an option
            if (!optionsDone && bareDashes && !word.quoted() && text.equals("--")) {
                optionsDone = true;
                continue;
            }
            if (!optionsDone && bareDashes && text.startsWith("--") && text.length() > 2) {
                int eq = text.indexOf('=');
                String optionName = eq < 0 ? text.substring(2) : text.substring(2, eq);
                Option option = find(optionName);
                if (option == null) {
                    throw new MagicException("unknown option --" + optionName + " for " + spelled
                            + Suggest.hint(
                                    optionName,
                                    optionNames().stream()
                                            .map(n -> n.substring(2))
                                            .toList(),
                                    "--")
                            + " (" + spelled + " --help lists them)");
                }
                Object value;
                if (!option.takesValue()) {
                    if (eq >= 0) {
                        throw new MagicException(
                                option.spelled() + " is a switch and takes no value: write just " + option.spelled());
                    }
                    value = Boolean.TRUE;
                } else if (eq >= 0) {
                    value = convert(option, text.substring(eq + 1));
                } else {
                    ShellWords.Word next = ShellWords.next(line, position);
                    if (next == null) {
                        throw new MagicException(option.spelled() + " needs a value (" + option.metavar() + "), e.g. "
                                + spelled + " " + option.spelled() + " " + example(option));
                    }
                    position = next.end();
                    value = convert(option, next.value());
                }
                values.add(option, value);
                continue;
            }
            if (hasRest && loose.size() >= fixedBeforeRest) {
                rest = unquoteWhole(line.substring(word.start()).strip());
                break;
            }
            loose.add(text);
        }
        return new ParsedArgs(spelled, values, assign(loose, rest, spelled));
    }

    /** The option's typed value; a bad one is the option's one-line message as a magic error. */
    private static Object convert(Option option, String text) {
        try {
            return option.convert(text);
        } catch (OptionException e) {
            throw new MagicException(e.getMessage());
        }
    }

    private Map<String, List<String>> assign(List<String> loose, String rest, String spelled) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        int next = 0;
        for (Positional p : positionals) {
            switch (p.arity()) {
                case REQUIRED, OPTIONAL -> {
                    if (next < loose.size()) {
                        out.put(p.metavar(), List.of(loose.get(next++)));
                    } else {
                        if (p.arity() == Arity.REQUIRED) {
                            throw new MagicException(spelled + " needs " + p.metavar() + " — usage: " + usage(spelled));
                        }
                        out.put(p.metavar(), List.of());
                    }
                }
                case MANY -> {
                    out.put(p.metavar(), List.copyOf(loose.subList(next, loose.size())));
                    next = loose.size();
                }
                case REST -> out.put(p.metavar(), rest == null ? List.of() : List.of(rest));
            }
        }
        if (next < loose.size()) {
            throw new MagicException(spelled + " got an unexpected argument '" + loose.get(next) + "' — usage: "
                    + usage(spelled) + (loose.get(next).startsWith("-") ? " (options start with --)" : ""));
        }
        return out;
    }

    /** {@code "a cat"} → {@code a cat} when the text is exactly one quoted word; otherwise the text unchanged. */
    private static String unquoteWhole(String text) {
        try {
            ShellWords.Word word = ShellWords.next(text, 0);
            if (word != null && word.quoted() && word.start() == 0 && word.end() == text.length()) {
                return word.value();
            }
        } catch (MagicException notOneWord) {
            // an apostrophe inside a prompt: keep the text as written
        }
        return text;
    }

    private static String example(Option option) {
        if (option.defaultValue() != null) {
            return String.valueOf(option.defaultValue());
        }
        return option.type() == Option.Type.CHOICE ? option.choices().get(0) : option.metavar();
    }

    /** The one-line synopsis, e.g. {@code %txt2img [options] PROMPT…}. */
    public String usage(String spelled) {
        StringBuilder line = new StringBuilder(spelled);
        if (!options.isEmpty()) {
            line.append(" [options]");
        }
        for (Positional p : positionals) {
            line.append(' ')
                    .append(
                            switch (p.arity()) {
                                case REQUIRED -> p.metavar();
                                case OPTIONAL -> "[" + p.metavar() + "]";
                                case MANY -> "[" + p.metavar() + "…]";
                                case REST -> p.metavar() + "…";
                            });
        }
        return line.toString();
    }

    /** The full help, generated from the declaration. */
    public String help() {
        StringBuilder out = new StringBuilder();
        if (lineMagic) {
            out.append(usage("%" + name)).append('\n');
        }
        if (isCellMagic()) {
            out.append("%%")
                    .append(name)
                    .append(options.isEmpty() ? "" : " [options]")
                    .append("\n    (cell body: ")
                    .append(cellBody)
                    .append(")\n");
        }
        out.append('\n').append(summary).append('\n');
        if (!positionals.isEmpty()) {
            out.append("\nArguments:\n");
            for (Positional p : positionals) {
                out.append(String.format("  %-22s %s%n", p.metavar(), p.help()));
            }
        }
        out.append("\nOptions:\n");
        for (Option o : options.values()) {
            out.append(OptionSet.line(o.synopsis(), o.describe()));
        }
        out.append(OptionSet.line("--help", "show this help (also %" + name + "?)"));
        for (String note : notes) {
            out.append('\n').append(note).append('\n');
        }
        if (!examples.isEmpty()) {
            out.append("\nExample").append(examples.size() > 1 ? "s" : "").append(":\n");
            examples.forEach(
                    e -> out.append("  ").append(e.replace("\n", "\n  ")).append('\n'));
        }
        return out.toString().stripTrailing();
    }
}
