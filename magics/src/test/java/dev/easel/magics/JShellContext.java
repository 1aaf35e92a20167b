package dev.easel.magics;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.execution.LocalExecutionControlProvider;

/**
 * A real {@link MagicContext} for tests: an in-process JShell (local execution, so cells share this JVM and see
 * {@link Bindings}), with the test class path. Output of snippets goes to the JShell's own stream and is copied to
 * {@link System#out}.
 */
public final class JShellContext implements MagicContext, AutoCloseable {

    private final JShell shell;
    private final ByteArrayOutputStream shellOut = new ByteArrayOutputStream();
    private final Path workingDirectory;
    public final List<Path> added = new ArrayList<>();

    public JShellContext(Path workingDirectory) {
        this.workingDirectory = workingDirectory;
        this.shell = JShell.builder()
                .executionEngine(new LocalExecutionControlProvider(), java.util.Map.of())
                .out(new PrintStream(shellOut, true))
                .err(new PrintStream(shellOut, true))
                .build();
        shell.addToClasspath(System.getProperty("java.class.path"));
    }

    @Override
    public boolean runJava(String code) {
        return runJavaHoldingValue(code, Runnable::run);
    }

    @Override
    public boolean runJavaHoldingValue(String code, java.util.function.Consumer<Runnable> heldValue) {
        try {
            String value = evalJava(code);
            flush();
            if (!value.isEmpty()) {
                heldValue.accept(() -> System.out.println(value));
            }
            return true;
        } catch (MagicException e) {
            flush();
            System.err.println(e.getMessage());
            return false;
        }
    }

    @Override
    public String evalJava(String code) {
        String remaining = code;
        String last = "";
        while (!remaining.isBlank()) {
            var info = shell.sourceCodeAnalysis().analyzeCompletion(remaining);
            String source = info.source() == null ? remaining : info.source();
            for (SnippetEvent event : shell.eval(source)) {
                if (event.exception() != null) {
                    Throwable t = event.exception();
                    String message = t instanceof EvalException ee
                            ? ee.getExceptionClassName() + ": " + t.getMessage()
                            : t.toString();
                    throw new MagicException(message);
                }
                if (event.status() == Snippet.Status.REJECTED) {
                    String diag = shell.diagnostics(event.snippet())
                            .map(d -> d.getMessage(null))
                            .collect(Collectors.joining("; "));
                    throw new MagicException("does not compile: " + diag);
                }
                if (event.causeSnippet() == null && event.value() != null) {
                    last = event.value();
                }
            }
            remaining = info.remaining();
        }
        flush();
        return last;
    }

    private void flush() {
        String text = shellOut.toString();
        shellOut.reset();
        System.out.print(text);
    }

    @Override
    public void addToClasspath(Path jarOrFolder) {
        added.add(jarOrFolder);
        shell.addToClasspath(jarOrFolder.toString());
    }

    @Override
    public Path workingDirectory() {
        return workingDirectory;
    }

    @Override
    public void close() {
        shell.close();
    }

    @SuppressWarnings("unused")
    private static String diag(Diag d) {
        return d.getMessage(null);
    }
}
