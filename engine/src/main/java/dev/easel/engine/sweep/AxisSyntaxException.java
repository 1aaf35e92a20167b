package dev.easel.engine.sweep;

/** An axis spec that cannot be read; the message names the axis, the position and what to write instead. */
public class AxisSyntaxException extends IllegalArgumentException {

    public AxisSyntaxException(String message) {
        super(message);
    }
}
