package dev.easel.magics;

/**
 * A magic could not do what was asked. The message is one line that names what was wrong and what to do; the
 * kernel shows it as the cell's error without a stack trace.
 */
public class MagicException extends RuntimeException {

    public MagicException(String message) {
        super(message);
    }

    public MagicException(String message, Throwable cause) {
        super(message, cause);
    }
}
