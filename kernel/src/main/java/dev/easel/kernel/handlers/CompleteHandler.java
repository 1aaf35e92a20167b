package dev.easel.kernel.handlers;

import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code complete_request}: JShell's suggestions (or magic names and options on a {@code %} line); positions in code
 * points.
 */
public final class CompleteHandler implements Handler {

    private final Supplier<Interpreter> interpreter;

    public CompleteHandler(Supplier<Interpreter> interpreter) {
        this.interpreter = interpreter;
    }

    @Override
    public void handle(Request request) {
        Contents.CompleteRequest content = request.content(Contents.CompleteRequest.class);
        String code = content.code() == null ? "" : content.code();
        Interpreter.Completion completion =
                interpreter.get().complete(code, CursorPosition.toJava(code, content.cursorPos()));
        List<Map<String, Object>> types = new ArrayList<>();
        for (Map<String, Object> type : completion.types()) {
            Map<String, Object> converted = new LinkedHashMap<>(type);
            converted.computeIfPresent("start", (key, at) -> CursorPosition.toProtocol(code, (Integer) at));
            converted.computeIfPresent("end", (key, at) -> CursorPosition.toProtocol(code, (Integer) at));
            types.add(converted);
        }
        request.reply(new Contents.CompleteReply(
                "ok",
                completion.matches(),
                CursorPosition.toProtocol(code, completion.cursorStart()),
                CursorPosition.toProtocol(code, completion.cursorEnd()),
                Map.of("_jupyter_types_experimental", types)));
    }
}
