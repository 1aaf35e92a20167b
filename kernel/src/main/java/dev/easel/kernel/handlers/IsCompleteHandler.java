package dev.easel.kernel.handlers;

import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Request;
import java.util.function.Supplier;

/** {@code is_complete_request}: complete, incomplete (with an indent) or invalid. */
public final class IsCompleteHandler implements Handler {

    private final Supplier<Interpreter> interpreter;

    public IsCompleteHandler(Supplier<Interpreter> interpreter) {
        this.interpreter = interpreter;
    }

    @Override
    public void handle(Request request) {
        Contents.IsCompleteRequest content = request.content(Contents.IsCompleteRequest.class);
        Interpreter.Completeness result = interpreter.get().isComplete(content.code() == null ? "" : content.code());
        request.reply(new Contents.IsCompleteReply(
                result.status(), "incomplete".equals(result.status()) ? result.indent() : null));
    }
}
