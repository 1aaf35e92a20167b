package dev.easel.engine.options;

import java.util.List;

/**
 * Parses a subcommand's arguments ({@code --name value}, {@code --name=value}, {@code --flag}) against its declared
 * options, as the magics parse theirs: the same conversions, ranges and one-line errors, plus "did you mean".
 */
public final class CommandLine {

    private CommandLine() {}

    /**
     * The typed values; an {@link OptionException} for an unknown option, a missing value or a bad value, which
     * points at {@code command --help} (null: no such pointer).
     */
    public static OptionValues parse(List<String> argv, OptionSet declared, String command) {
        List<Option> options = declared.on(Option.Surface.COMMAND_LINE);
        OptionValues values = new OptionValues(options);
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new OptionException(
                        "unexpected argument '" + arg + "' (options start with --" + hint(command) + ")");
            }
            String name = arg.substring(2);
            String text = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                text = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            String typed = name;
            Option option = declared.find(typed, Option.Surface.COMMAND_LINE)
                    .orElseThrow(() -> new OptionException("unknown option --" + typed
                            + Suggest.hint(typed, declared.names(Option.Surface.COMMAND_LINE), "--")
                            + (command == null ? "" : " (" + command + " --help lists them)")));
            if (!option.takesValue()) {
                if (text != null) {
                    throw new OptionException(
                            option.spelled() + " is a switch and takes no value: write just " + option.spelled());
                }
                values.add(option, Boolean.TRUE);
                continue;
            }
            if (text == null) {
                if (i + 1 >= argv.size()) {
                    throw new OptionException(option.spelled() + " needs a value (" + option.metavar() + ")");
                }
                text = argv.get(++i);
            }
            values.add(option, option.convert(text));
        }
        return values;
    }

    private static String hint(String command) {
        return command == null ? "" : "; " + command + " --help lists them";
    }

    /** The help of a subcommand: usage line, summary, every option with its range and default, then notes. */
    public static String help(String command, String summary, OptionSet declared, String... notes) {
        StringBuilder out = new StringBuilder("usage: " + command + " [options]\n\n" + summary + "\n\nOptions:\n");
        out.append(declared.help(Option.Surface.COMMAND_LINE));
        out.append(OptionSet.line("--help", "show this help"));
        for (String note : notes) {
            out.append('\n').append(note).append('\n');
        }
        return out.toString().stripTrailing();
    }
}
