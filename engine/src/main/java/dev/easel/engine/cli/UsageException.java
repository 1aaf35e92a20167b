package dev.easel.engine.cli;

/** Bad command-line usage: reported as one line, exit code 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
