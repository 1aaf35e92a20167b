package dev.easel.engine.cli;

import dev.easel.engine.BadValueException;
import java.util.List;

/**
 * What every engine subcommand does the same way: {@code --help} prints the usage, DJL's chatter is kept off the
 * terminal, and a failure is one line on stderr with the exit code scripts expect — 2 for bad usage or a bad value
 * ({@link BadValueException}), 1 for anything else (a broken file, a failed generation). Subclasses only say what
 * they do.
 */
abstract class EngineCommand implements Subcommand {

    /** The usage text, {@code usage: NAME …}. */
    protected abstract String usage();

    /** Does the work; throws {@link UsageException} for bad usage, {@link BadValueException} for bad values. */
    protected abstract int execute(List<String> argv) throws Exception;

    @Override
    public final int run(List<String> argv) {
        Cli.quietLogs();
        if (argv.contains("--help") || argv.contains("-h")) {
            System.out.println(usage());
            return 0;
        }
        try {
            return execute(argv);
        } catch (UsageException e) {
            System.err.println(name() + ": " + e.getMessage() + " (" + name() + " --help lists the options)");
            return 2;
        } catch (BadValueException | IllegalArgumentException e) {
            // IllegalArgumentException: the JDK's parsers (NumberFormatException, InvalidPathException) on typed text
            System.err.println(name() + ": " + Cli.firstLine(e.getMessage()));
            return 2;
        } catch (Exception | Error e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : Cli.firstLine(e.getMessage());
            System.err.println(name() + ": " + message);
            return 1;
        }
    }
}
