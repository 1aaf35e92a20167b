package dev.easel.engine.cli;

import dev.easel.engine.BadValueException;

/** Bad command-line usage: reported as one line followed by the usage text, exit code 2. */
public class UsageException extends BadValueException {
    public UsageException(String message) {
        super(message);
    }
}
