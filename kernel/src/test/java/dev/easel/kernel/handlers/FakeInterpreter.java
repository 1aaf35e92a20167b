package dev.easel.kernel.handlers;

import dev.easel.display.MimeBundle;
import dev.easel.kernel.interpreter.Interpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A scripted {@link Interpreter} for handler tests, as almond's kernel tests use: a cell {@code fail} fails,
 * {@code print X} prints X, {@code block} waits for {@link #interrupt}, anything else has itself as its value. It
 * records every call, so a test sees exactly what the handlers asked.
 */
final class FakeInterpreter implements Interpreter {

    final List<String> calls = new ArrayList<>();
    final CountDownLatch blocking = new CountDownLatch(1);
    volatile CountDownLatch interrupted = new CountDownLatch(1);
    Completion completion = new Completion(List.of(), 0, 0, List.of());
    String documentation;

    @Override
    public synchronized Optional<ErrorInfo> execute(String code, CellOutput output) {
        calls.add("execute " + code);
        if (code.equals("fail")) {
            ErrorInfo error = new ErrorInfo("Failure", "it failed", List.of("Failure: it failed"));
            output.error(error);
            return Optional.of(error);
        }
        if (code.startsWith("print ")) {
            System.out.print(code.substring(6));
            return Optional.empty();
        }
        if (code.equals("block")) {
            blocking.countDown();
            try {
                interrupted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ErrorInfo error = new ErrorInfo("Interrupted", "the cell was interrupted", List.of());
            output.error(error);
            return Optional.of(error);
        }
        output.result(MimeBundle.text(code));
        return Optional.empty();
    }

    @Override
    public MimeBundle evaluate(String expression) throws EvaluationException {
        calls.add("evaluate " + expression);
        if (expression.equals("bad")) {
            throw new EvaluationException(new ErrorInfo("Bad", "no such thing", List.of()));
        }
        return MimeBundle.text("<" + expression + ">");
    }

    @Override
    public Completion complete(String code, int cursor) {
        calls.add("complete " + cursor);
        return completion;
    }

    @Override
    public Optional<String> inspect(String code, int cursor, int detailLevel) {
        calls.add("inspect " + cursor + " " + detailLevel);
        return Optional.ofNullable(documentation);
    }

    @Override
    public Completeness isComplete(String code) {
        calls.add("isComplete " + code);
        return code.endsWith("{") ? new Completeness("incomplete", "    ") : new Completeness("complete", "ignored");
    }

    @Override
    public void interrupt() {
        calls.add("interrupt");
        interrupted.countDown();
    }

    @Override
    public void close() {
        calls.add("close");
    }

    static Map<String, Object> type(int start, int end, String text) {
        return Map.of("start", start, "end", end, "text", text, "type", "function");
    }
}
