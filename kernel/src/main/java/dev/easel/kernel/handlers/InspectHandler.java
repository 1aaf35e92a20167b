package dev.easel.kernel.handlers;

import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Request;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** {@code inspect_request}: signature and documentation of the name at the cursor. */
public final class InspectHandler implements Handler {

    private final Supplier<Interpreter> interpreter;

    public InspectHandler(Supplier<Interpreter> interpreter) {
        this.interpreter = interpreter;
    }

    @Override
    public void handle(Request request) {
        Contents.InspectRequest content = request.content(Contents.InspectRequest.class);
        String code = content.code() == null ? "" : content.code();
        int detail = content.detailLevel() == null ? 0 : content.detailLevel();
        Optional<String> text =
                interpreter.get().inspect(code, CursorPosition.toJava(code, content.cursorPos()), detail);
        request.reply(new Contents.InspectReply(
                "ok",
                text.isPresent(),
                text.<Map<String, Object>>map(t -> Map.of("text/plain", t)).orElse(Map.of()),
                Map.of()));
    }
}
