package dev.easel.engine;

/**
 * A value the user gave — an option's value, an axis, a setting, a folder to read or write — that is wrong before any
 * work starts. The command line branches on it: exit code 2, as for bad usage, where every other
 * {@link EngineException} (a broken file, a failed generation) exits 1. The message names the value and what to give
 * instead.
 */
public class BadValueException extends EngineException {

    public BadValueException(String message) {
        super(message);
    }
}
