package dev.easel.kernel.interpreter;

import dev.easel.display.DisplayHandle;
import dev.easel.display.MimeBundle;
import dev.easel.display.Renderers;
import dev.easel.kernel.base.Log;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicException;
import dev.easel.magics.Magics;
import dev.easel.magics.NotebookImports;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.jshell.Diag;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.VarSnippet;

/**
 * Java cells through the JDK's JShell, executed in this JVM ({@link KernelExecutionControl}), with magics wired in:
 * a cell runs through {@link Magics#runCell}, the one cell runner, which calls back for its Java parts.
 */
public final class JShellInterpreter implements Interpreter {

    /** How long a polite interrupt ({@code Thread.interrupt}) gets before the snippet is stopped by force. */
    static final long GRACE_MILLIS = 10;

    /**
     * How long code outside the cell (the engine, a library) gets to notice the interrupt flag before it is stopped
     * by force: stopping it mid-step could leave its objects (a loaded model) broken; snippet code itself is stopped
     * after {@link #GRACE_MILLIS}.
     */
    static final long LIBRARY_GRACE_MILLIS = 5_000;

    private static final Object NO_VALUE = new Object();

    private final KernelExecutionControl control;
    private final JShell jshell;
    private final SourceCodeAnalysis analysis;
    private final ExpressionTemporaries temporaries;
    private final Magics magics;
    private final SnippetValues values;
    private final CellAnalysis cellAnalysis;
    private final Map<String, Integer> snippetLines = new ConcurrentHashMap<>();
    private final ScheduledExecutorService interrupter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "easel-interrupter");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong cellNumber = new AtomicLong();

    private volatile Thread cellThread;
    private volatile boolean inJShell;
    /** While a magic binds a variable ({@link #evalBinding}), which an interrupt must not stop. */
    private volatile boolean binding;

    private volatile boolean interruptRequested;
    private CellOutput currentOutput;
    private ErrorInfo firstError;
    private int currentLine;

    /** A JShell whose snippets see every class {@code parent} sees; magics are found through the same loader. */
    public JShellInterpreter(ClassLoader parent) {
        KernelExecutionControl.Provider provider = new KernelExecutionControl.Provider(parent);
        this.jshell = JShell.builder().executionEngine(provider, Map.of()).build();
        this.control = provider.created();
        this.analysis = jshell.sourceCodeAnalysis();
        this.temporaries = new ExpressionTemporaries(jshell);
        this.values = new SnippetValues(jshell, control);
        this.magics = Magics.load(parent);
        this.cellAnalysis = new CellAnalysis(jshell, magics, control.loader());
        interrupter.submit(() -> {}); // start its thread outside any cell's thread group
        Thread.currentThread().setContextClassLoader(control.loader());
        for (String imported : NotebookImports.IMPORTS) {
            jshell.eval(imported);
        }
    }

    /**
     * Compiles and runs a trivial snippet so the first user cell does not pay javac's warm-up. The snippet is dropped
     * afterwards: a variable left behind would be offered by completion and compiled into every later cell.
     */
    public void warmUp() {
        jshell.eval("int $easelWarmUp = 1 + 1;").stream()
                .map(SnippetEvent::snippet)
                .filter(snippet -> jshell.status(snippet).isActive())
                .forEach(jshell::drop);
        analysis.analyzeCompletion("1+1");
    }

    /** The class loader of cell classes (its parent is the kernel's). */
    public ClassLoader cellClassLoader() {
        return control.loader();
    }

    // ---------------------------------------------------------------------------------------------------- execute

    @Override
    public Optional<ErrorInfo> execute(String code, CellOutput output) {
        cellNumber.incrementAndGet();
        interruptRequested = false;
        currentOutput = output;
        firstError = null;
        cellThread = Thread.currentThread();
        Thread.currentThread().setContextClassLoader(control.loader());
        KernelMagicContext context = new KernelMagicContext(this);
        currentLine = 0;
        try {
            magics.runCell(code, context);
            if (interruptRequested && firstError == null) {
                fail(ErrorFormatter.interrupted()); // a magic stopped early on the interrupt and returned normally
            }
        } catch (MagicException e) {
            fail(ErrorFormatter.magicError(e.getMessage()));
        } catch (CancellationException | InterruptedException e) {
            fail(ErrorFormatter.interrupted());
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            fail(interruptRequested ? ErrorFormatter.interrupted() : ErrorFormatter.javaException(e));
        } finally {
            cellThread = null;
            Thread.interrupted(); // a late interrupt must not leak into the next cell
        }
        return Optional.ofNullable(firstError);
    }

    /** Before each part of the running cell ({@link Magics#runCell}): its line, and whether the cell goes on. */
    boolean beforePart(CellPart part) {
        currentLine = part.line();
        return firstError == null && !interruptRequested;
    }

    private boolean fail(ErrorInfo error) {
        if (firstError != null) {
            return false; // the cell already shows its first error
        }
        firstError = error;
        currentOutput.error(error);
        return false;
    }

    /**
     * Runs Java as part of the running cell, at the line of the part being run; {@code heldValue} gets the action
     * that shows its value, when it has one to show. False when it failed (the error is shown).
     */
    boolean runJava(String code, Consumer<Runnable> heldValue) {
        Object value;
        try {
            value = evalAll(code, currentLine, null, false);
        } catch (EvaluationException e) {
            return fail(e.error());
        }
        if (value != NO_VALUE && !showsNothingMore(value)) {
            CellOutput output = currentOutput;
            heldValue.accept(() -> output.result(render(value)));
        }
        return true;
    }

    /**
     * Values that only repeat what the cell already showed. {@code display(x)} returns its handle: shown, the output
     * would appear twice (IPython's {@code display()} returns None). {@code System.out.printf(…)}, {@code format} and
     * {@code append} return the stream itself: the cell's text is already there, and "java.io.PrintStream@1b2c"
     * under it says nothing.
     */
    private static boolean showsNothingMore(Object value) {
        return value instanceof DisplayHandle || value == System.out || value == System.err;
    }

    /** Used by magics: evaluates quietly, returning JShell's text of the last value. */
    String evalQuietly(String code) {
        List<String> text = new ArrayList<>(List.of(""));
        try {
            evalAll(code, currentLine, text, true);
        } catch (EvaluationException e) {
            throw new MagicException(e.error().ename() + ": " + e.error().evalue());
        }
        return text.get(0);
    }

    /**
     * Used by magics to bind a variable: kernel-made code that is neither interrupted nor stopped, so a magic that
     * has handled an interrupt (a training stopped at its step boundary) still binds what it made. The declaration
     * only takes a value out of {@code Bindings}: it cannot hang.
     */
    void evalBinding(String declaration) {
        boolean interrupted = Thread.interrupted(); // JShell's wait for the snippet would end at once
        binding = true;
        try {
            evalQuietly(declaration);
        } finally {
            binding = false;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The magics cells can call (tests register their own). */
    Magics magics() {
        return magics;
    }

    void addToClasspath(Path path) {
        jshell.addToClasspath(path.toAbsolutePath().toString());
    }

    CellOutput currentOutput() {
        return currentOutput;
    }

    /**
     * Evaluates each snippet of {@code code} in turn; the last displayable value, or {@link #NO_VALUE}.
     *
     * @param valueText where the text of the last value goes, or null
     * @param quiet     for a magic or a frontend rather than the cell: its values do not become {@code $N}
     */
    private Object evalAll(String code, int firstLine, List<String> valueText, boolean quiet)
            throws EvaluationException {
        Object last = NO_VALUE;
        String remaining = code;
        int consumed = 0;
        while (!remaining.isBlank()) {
            if (interruptRequested && !binding) {
                throw new EvaluationException(ErrorFormatter.interrupted()); // before JShell starts another snippet
            }
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            String source;
            String rest;
            if (info.completeness().isComplete()) {
                source = info.source();
                rest = info.remaining();
            } else {
                source = remaining; // incomplete or invalid: let eval produce the diagnostic
                rest = "";
            }
            int start = consumed + leadingWhitespace(remaining);
            int line = firstLine + countLines(code, start);
            consumed += remaining.length() - rest.length();
            remaining = rest;
            last = evalSnippet(source, line, last, valueText, quiet);
            if (interruptRequested && !binding) {
                throw new EvaluationException(ErrorFormatter.interrupted());
            }
        }
        return last;
    }

    private Object evalSnippet(String source, int line, Object previous, List<String> valueText, boolean quiet)
            throws EvaluationException {
        List<SnippetEvent> events;
        temporaries.evaluating(source);
        inJShell = true;
        long start = System.nanoTime();
        try {
            events = jshell.eval(source);
        } finally {
            inJShell = false;
        }
        Log.debug("jshell.eval took " + (System.nanoTime() - start) / 1000 + " µs");
        Object value = previous;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) { // another snippet this one re-declared, overwrote or broke
                if (event.snippet() instanceof VarSnippet variable) {
                    if (event.status().isDefined()) {
                        values.redeclared(variable);
                    } else if (event.status() == Snippet.Status.OVERWRITTEN) {
                        values.released(variable);
                    }
                }
                BrokenDependent.warning(event, jshell).ifPresent(System.err::println); // the cell's stderr
                continue;
            }
            Snippet snippet = event.snippet();
            snippetLines.put(snippet.id(), line);
            if (event.status() == Snippet.Status.REJECTED) {
                List<Diag> diagnostics = jshell.diagnostics(snippet).toList();
                throw new EvaluationException(ErrorFormatter.compileError(
                        source.stripLeading(),
                        diagnostics,
                        line,
                        missing ->
                                ExpressionTemporaries.note(missing).or(() -> BrokenDependent.note(missing, jshell))));
            }
            if (event.exception() != null) {
                temporaries.discard(snippet); // the temporary of an expression that threw holds nothing
                if (interruptRequested) {
                    throw new EvaluationException(ErrorFormatter.interrupted());
                }
                throw new EvaluationException(ErrorFormatter.exception(event.exception(), snippetLines));
            }
            if (snippet instanceof VarSnippet variable
                    && event.status().isDefined()
                    && control.lastInvokedClass() != null) {
                values.defined(variable, control.lastInvokedClass());
            }
            Snippet.SubKind kind = snippet.subKind();
            if (event.value() != null
                    && (kind == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND
                            || kind == Snippet.SubKind.VAR_VALUE_SUBKIND)) {
                value = values.valueOf(snippet).orElseGet(() -> MimeBundle.text(event.value()));
                if (valueText != null) {
                    valueText.set(0, event.value());
                }
            } else if (!(kind == Snippet.SubKind.VAR_DECLARATION_SUBKIND)) {
                value = NO_VALUE;
            }
            if (ExpressionTemporaries.isTemporary(snippet) && event.status().isDefined()) {
                temporaries.defined((VarSnippet) snippet, quiet).ifPresent(values::released);
            }
        }
        return value;
    }

    private static MimeBundle render(Object value) {
        MimeBundle bundle;
        try {
            bundle = Renderers.global().render(value);
        } catch (RuntimeException | LinkageError e) {
            bundle = MimeBundle.text(String.valueOf(value));
        }
        String plain = bundle.plainText();
        String shown = WrapperNames.strip(plain); // a class declared in a cell prints as Foo@1a2b, as in jshell
        return shown.equals(plain) ? bundle : bundle.withPlainText(shown);
    }

    @Override
    public MimeBundle evaluate(String expression) throws EvaluationException {
        Object value = evalAll(expression, 0, null, true);
        return value == NO_VALUE ? MimeBundle.text("") : render(value);
    }

    // ---------------------------------------------------------------------------------------------------- interrupt

    @Override
    public void interrupt() {
        Thread running = cellThread;
        if (running == null) {
            return;
        }
        long cell = cellNumber.get();
        interruptRequested = true;
        // First politely: code that checks the flag (engine loops, magics, sleeps, waits, stdin reads) stops itself.
        Set<Thread> interrupted = ConcurrentHashMap.newKeySet();
        interruptCellThreads(interrupted);
        if (!inJShell) {
            running.interrupt(); // a magic on the cell's own thread; never while JShell waits for its snippet
        }
        long requested = System.nanoTime();
        interrupter.schedule(() -> forceStop(cell, requested, interrupted, 0), GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Interrupts the running cell's threads not interrupted yet (a snippet may start after the request). */
    private static void interruptCellThreads(Set<Thread> interrupted) {
        for (Thread thread : CellThreads.ofRunningSnippet()) {
            if (interrupted.add(thread)) {
                thread.interrupt();
            }
        }
    }

    /**
     * Then by force, if the same cell is still running: JShell stops the snippet (Thread.stop on JDK 17, stop checks
     * woven into snippet code on JDK 20+) — at once when the cell's thread is in snippet code, after
     * {@link #LIBRARY_GRACE_MILLIS} when it is inside a library that may still stop cleanly at its next step.
     */
    private void forceStop(long cell, long requested, Set<Thread> interrupted, int attempt) {
        if (cellThread == null || cellNumber.get() != cell || attempt > 200) {
            return;
        }
        interruptCellThreads(interrupted);
        long waited = (System.nanoTime() - requested) / 1_000_000;
        boolean inLibrary = CellThreads.ofRunningSnippet().stream().anyMatch(JShellInterpreter::runsLibraryCode);
        if (inJShell && !binding && (!inLibrary || waited >= LIBRARY_GRACE_MILLIS)) {
            Log.debug("stopping the running snippet (attempt " + (attempt + 1) + ")");
            jshell.stop();
        }
        interrupter.schedule(
                () -> forceStop(cell, requested, interrupted, attempt + 1),
                inLibrary ? 50 : 100,
                TimeUnit.MILLISECONDS);
    }

    /** Whether the innermost non-JDK frame of {@code thread} belongs to a library rather than to a cell. */
    private static boolean runsLibraryCode(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            String type = frame.getClassName();
            if (type.startsWith("REPL.")) {
                return false;
            }
            if (!(type.startsWith("java.")
                    || type.startsWith("javax.")
                    || type.startsWith("jdk.")
                    || type.startsWith("sun.")
                    || type.startsWith("com.sun."))) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------- analysis

    @Override
    public Completion complete(String code, int cursor) {
        return cellAnalysis.complete(code, cursor);
    }

    @Override
    public Optional<String> inspect(String code, int cursor, int detailLevel) {
        return cellAnalysis.inspect(code, cursor, detailLevel);
    }

    @Override
    public Interpreter.Completeness isComplete(String code) {
        return cellAnalysis.isComplete(code);
    }

    private static int leadingWhitespace(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int countLines(String text, int end) {
        int lines = 0;
        for (int i = 0; i < end && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        return lines;
    }

    @Override
    public void close() {
        interrupter.shutdownNow();
        jshell.close();
    }
}
