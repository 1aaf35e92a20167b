package dev.easel.kernel.handlers;

import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.protocol.Contents;
import java.util.Map;
import java.util.function.Supplier;

/** {@code complete_request}: JShell's suggestions (or magic names and options on a {@code %} line). */
public final class CompleteHandler implements Handler {

    private final Supplier<Interpreter> interpreter;

    public CompleteHandler(Supplier<Interpreter> interpreter) {
        this.interpreter = interpreter;
    }

    @Override
    public void handle(Request request) {
        Contents.CompleteRequest content = request.content(Contents.CompleteRequest.class);
        String code = content.code() == null ? "" : content.code();
        Interpreter.Completion completion = interpreter.get().complete(code, content.cursorPos());
        request.reply(new Contents.CompleteReply("ok", completion.matches(), completion.cursorStart(),
                completion.cursorEnd(), Map.of("_jupyter_types_experimental", completion.types())));
    }
}
