package dev.easel.kernel.handlers;

import dev.easel.display.MimeBundle;
import dev.easel.kernel.display.KernelDisplaySink;
import dev.easel.kernel.history.HistoryStore;
import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.interpreter.Interpreter.ErrorInfo;
import dev.easel.kernel.interpreter.KernelInput;
import dev.easel.kernel.interpreter.OutputCapture;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.MessageType;
import dev.easel.kernel.protocol.Request;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code execute_request}: {@code execute_input}, then the cell with its streams, displays, result and error routed
 * to iopub under this request, then user expressions and the reply. {@code silent}, {@code store_history},
 * {@code allow_stdin} and {@code stop_on_error} (aborting cells queued before the error) as in the spec.
 */
public final class ExecuteHandler implements Handler {

    /** {@code name?} or {@code name??}: show its documentation in the pager, as IPython does. */
    private static final Pattern HELP = Pattern.compile("\\s*([A-Za-z_$][\\w$.]*)\\s*(\\?{1,2})\\s*");

    private final Supplier<Interpreter> interpreter;
    private final OutputCapture capture;
    private final KernelInput input;
    private final KernelDisplaySink displays;
    private final HistoryStore history;
    private final AtomicLong lastReceived;
    private final BlockingQueue<String> inputReplies = new LinkedBlockingQueue<>();
    private int executionCount;
    private volatile long abortThrough = -1;

    public ExecuteHandler(
            Supplier<Interpreter> interpreter,
            OutputCapture capture,
            KernelInput input,
            KernelDisplaySink displays,
            HistoryStore history,
            AtomicLong lastReceived) {
        this.interpreter = interpreter;
        this.capture = capture;
        this.input = input;
        this.displays = displays;
        this.history = history;
        this.lastReceived = lastReceived;
    }

    /** An {@code input_reply} arrived on stdin. */
    public void inputReply(String value) {
        inputReplies.offer(value == null ? "" : value);
    }

    @Override
    public void handle(Request request) {
        Contents.ExecuteRequest content = request.content(Contents.ExecuteRequest.class);
        String code = content.code() == null ? "" : content.code();
        if (request.sequence() <= abortThrough) {
            request.reply(new Contents.ExecuteReply("aborted", executionCount, null, null, null, null, null));
            return;
        }
        if (content.storesHistory()) {
            executionCount++;
        }
        int count = executionCount;
        if (!content.isSilent()) {
            request.publish(MessageType.EXECUTE_INPUT, new Contents.ExecuteInput(code, count));
        }
        if (content.storesHistory()) {
            history.append(count, code);
        }
        capture.setTarget((name, text) -> request.publish(MessageType.STREAM, new Contents.Stream(name, text)));
        displays.setParent(request);
        input.setReader(
                content.allowsStdin()
                        ? (prompt, password) -> {
                            capture.flush();
                            inputReplies.clear();
                            request.sendStdin(MessageType.INPUT_REQUEST, new Contents.InputRequest(prompt, password));
                            return inputReplies.take();
                        }
                        : null);

        List<Map<String, Object>> payload = List.of();
        Optional<ErrorInfo> error;
        Matcher help = HELP.matcher(code);
        if (help.matches()) {
            String name = help.group(1);
            String text = interpreter
                    .get()
                    .inspect(name, name.length(), help.group(2).length() - 1)
                    .orElse("No documentation found for " + name);
            payload = List.of(Map.of("source", "page", "data", Map.of("text/plain", text), "start", 0));
            error = Optional.empty();
        } else {
            error = interpreter.get().execute(code, new Interpreter.CellOutput() {
                @Override
                public void result(MimeBundle value) {
                    capture.flush();
                    if (!content.isSilent()) {
                        request.publish(
                                MessageType.EXECUTE_RESULT,
                                new Contents.ExecuteResult(count, value.data(), value.metadata()));
                    }
                }

                @Override
                public void error(ErrorInfo info) {
                    capture.flush();
                    request.publish(
                            MessageType.ERROR, new Contents.Error(info.ename(), info.evalue(), info.traceback()));
                }
            });
        }
        capture.flush();
        input.setReader(null);

        Map<String, Object> expressions = new LinkedHashMap<>();
        if (error.isEmpty()) {
            content.expressions().forEach((name, expression) -> expressions.put(name, evaluate(expression)));
        }
        if (error.isPresent()) {
            ErrorInfo info = error.get();
            if (content.stopsOnError()) {
                abortThrough = lastReceived.get();
            }
            request.reply(new Contents.ExecuteReply(
                    "error", count, expressions, payload, info.ename(), info.evalue(), info.traceback()));
        } else {
            request.reply(new Contents.ExecuteReply("ok", count, expressions, payload, null, null, null));
        }
    }

    private Map<String, Object> evaluate(String expression) {
        try {
            MimeBundle value = interpreter.get().evaluate(expression);
            return Map.of("status", "ok", "data", value.data(), "metadata", value.metadata());
        } catch (Interpreter.EvaluationException e) {
            ErrorInfo info = e.error();
            return Map.of(
                    "status", "error", "ename", info.ename(), "evalue", info.evalue(), "traceback", info.traceback());
        }
    }
}
