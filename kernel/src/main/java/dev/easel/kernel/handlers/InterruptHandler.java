package dev.easel.kernel.handlers;

import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Request;
import java.util.Optional;
import java.util.function.Supplier;

/** {@code interrupt_request} (control): stops the running cell and answers at once. */
public final class InterruptHandler implements Handler {

    private final Supplier<Optional<Interpreter>> interpreter;

    public InterruptHandler(Supplier<Optional<Interpreter>> interpreter) {
        this.interpreter = interpreter;
    }

    @Override
    public void handle(Request request) {
        interpreter.get().ifPresent(Interpreter::interrupt);
        request.reply(Contents.Status.ok());
    }
}
