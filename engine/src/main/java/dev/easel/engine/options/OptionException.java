package dev.easel.engine.options;

import dev.easel.engine.BadValueException;

/**
 * A bad option value or usage: one line naming the option and what it takes. The command line answers it with exit
 * code 2, the magics show it as the cell's error.
 */
public class OptionException extends BadValueException {

    public OptionException(String message) {
        super(message);
    }
}
