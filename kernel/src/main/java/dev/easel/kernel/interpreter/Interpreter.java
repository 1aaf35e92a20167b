package dev.easel.kernel.interpreter;

import dev.easel.display.MimeBundle;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the kernel asks of a language — the {@code do_*} surface of ipykernel's {@code Kernel}: {@link #execute}
 * ({@code do_execute}), {@link #evaluate} (its {@code user_expressions}), {@link #complete} ({@code do_complete}),
 * {@link #inspect} ({@code do_inspect}), {@link #isComplete} ({@code do_is_complete}), {@link #interrupt} (message
 * interrupt) and {@link #close} ({@code do_shutdown}). Implementations never see ZeroMQ or protocol messages; the
 * handlers in {@code dev.easel.kernel.handlers} translate — {@code silent}, {@code store_history},
 * {@code stop_on_error}, execution counts, history, the {@code name?} pager and code-point cursor positions are theirs
 * — so they are tested against a fake implementation. Positions here are Java string indexes (UTF-16 units).
 */
public interface Interpreter extends AutoCloseable {

    /** Where a running cell's results and errors go (the handler turns them into iopub messages). */
    interface CellOutput {
        /** The value of the cell's last expression (or of Java a magic ran). */
        void result(MimeBundle value);

        void error(ErrorInfo error);
    }

    /** An error as Jupyter shows it. */
    record ErrorInfo(String ename, String evalue, List<String> traceback) {}

    record Completion(List<String> matches, int cursorStart, int cursorEnd, List<Map<String, Object>> types) {}

    /** {@code status} is complete, incomplete or invalid; {@code indent} only for incomplete. */
    record Completeness(String status, String indent) {}

    /**
     * Runs a cell. Outputs and errors go to {@code output} as they happen.
     *
     * @return the cell's error (already shown through {@code output}), or empty when it succeeded
     */
    Optional<ErrorInfo> execute(String code, CellOutput output);

    /** Evaluates an expression quietly (for {@code user_expressions}). */
    MimeBundle evaluate(String expression) throws EvaluationException;

    Completion complete(String code, int cursor);

    /** Plain-text documentation of the name at (or just before) {@code cursor}, if anything is known about it. */
    Optional<String> inspect(String code, int cursor, int detailLevel);

    Completeness isComplete(String code);

    /** Stops the running cell, if any; returns at once. */
    void interrupt();

    @Override
    void close();

    /** A quiet evaluation failed. */
    final class EvaluationException extends Exception {

        private final transient ErrorInfo error;

        public EvaluationException(ErrorInfo error) {
            super(error.ename() + ": " + error.evalue());
            this.error = error;
        }

        public ErrorInfo error() {
            return error;
        }
    }
}
