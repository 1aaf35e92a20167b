package dev.easel.engine.sweep;

import dev.easel.engine.BadValueException;

/** An axis spec that cannot be read; the message names the axis, the position and what to write instead. */
public class AxisSyntaxException extends BadValueException {

    public AxisSyntaxException(String message) {
        super(message);
    }
}
