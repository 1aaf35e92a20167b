package dev.easel.kernel.protocol;

/** A message that cannot be understood: missing frames, bad JSON, bad signature. It is dropped with a log line. */
public class MalformedMessageException extends RuntimeException {

    public MalformedMessageException(String message) {
        super(message);
    }
}
