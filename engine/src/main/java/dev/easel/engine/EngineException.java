package dev.easel.engine;

/**
 * The one exception type the engine throws for bad input (files, keys, shapes, arguments, settings) and failed
 * generations. Its message is always a single line that names the file or setting and says what is wrong, so
 * callers show it as is: the magics convert it in one place ({@code Magics.run}) into {@code %magic: message}, the
 * command line prints {@code NAME: message}. Subclasses exist only where a caller branches on them
 * ({@code cli.UsageException}: the usage text follows, exit code 2).
 */
public class EngineException extends RuntimeException {

    public EngineException(String message) {
        super(oneLine(message));
    }

    public EngineException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String s) {
        return s == null ? "engine error" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
