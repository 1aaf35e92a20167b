package dev.easel.engine;

/**
 * The one exception type the engine throws for bad input (files, keys, shapes, arguments) and failed generations.
 * Its message is always a single line that names the file or setting and says what is wrong, so callers can show
 * it as is.
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
