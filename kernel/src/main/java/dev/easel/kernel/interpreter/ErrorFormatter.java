package dev.easel.kernel.interpreter;

import dev.easel.kernel.interpreter.Interpreter.ErrorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShellException;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Turns JShell's diagnostics and exceptions into what a notebook shows: a compile error as the offending source
 * line with its span marked {@code ^^^}, an exception as a trace in which snippet frames are named by cell line and
 * JShell's and the kernel's own frames are left out.
 */
public final class ErrorFormatter {

    private static final String RED = "\u001b[0;31m";
    private static final String BOLD_RED = "\u001b[1;31m";
    private static final String RESET = "\u001b[0m";
    /** The name in javac's "cannot find symbol" ({@code symbol:   variable list}, {@code …method size()}). */
    private static final Pattern MISSING_SYMBOL = Pattern.compile("symbol: +(?:variable|method|class) ([\\w$]+)");
    /** A jshell tool command such as {@code /vars} at the start of a snippet (not a {@code //} or {@code /*} comment). */
    private static final Pattern JSHELL_COMMAND = Pattern.compile("\\s*(/[a-z]+)\\b");
    /** javac's "invalid canonical constructor in record Point". */
    private static final Pattern RECORD_CONSTRUCTOR =
            Pattern.compile("invalid canonical constructor in record ([\\w$]+)");

    /** Lines of a repeating run of frames a trace keeps before it counts the rest. */
    static final int KEEP_REPEATED = 5;
    /** The longest group of frames recognised as repeating (a recursion through several methods). */
    static final int MAX_CYCLE = 8;

    private ErrorFormatter() {}

    /**
     * A compile error: {@code source} is the snippet, {@code firstLine} its 0-based line in the cell; {@code noteFor}
     * may explain a symbol javac did not find.
     */
    public static ErrorInfo compileError(
            String source, List<Diag> diagnostics, int firstLine, Function<String, Optional<String>> noteFor) {
        List<String> traceback = new ArrayList<>();
        String evalue = "";
        for (Diag diag : diagnostics) {
            if (!diag.isError()) {
                continue;
            }
            String message = message(diag);
            if (evalue.isEmpty()) {
                evalue = message.lines().findFirst().orElse(message);
            }
            int start = clamp((int) diag.getStartPosition(), source.length());
            int end = clamp((int) Math.max(diag.getEndPosition(), start + 1), source.length());
            int lineStart = start == 0 ? 0 : source.lastIndexOf('\n', start - 1) + 1;
            int lineEnd = source.indexOf('\n', start);
            lineEnd = lineEnd < 0 ? source.length() : lineEnd;
            int lineNumber = firstLine
                    + (int) source.substring(0, lineStart)
                            .chars()
                            .filter(c -> c == '\n')
                            .count()
                    + 1;
            String line = source.substring(lineStart, lineEnd);
            int markFrom = start - lineStart;
            int markTo = Math.max(markFrom + 1, Math.min(end, lineEnd) - lineStart);
            traceback.add(BOLD_RED + "Compile error" + RESET + " in line " + lineNumber + ":");
            traceback.add("    " + line);
            traceback.add("    " + " ".repeat(markFrom) + RED + "^".repeat(markTo - markFrom) + RESET);
            traceback.add(message);
            Matcher missing = MISSING_SYMBOL.matcher(message);
            if (missing.find()) {
                noteFor.apply(missing.group(1)).ifPresent(traceback::add);
            }
            recordConstructorNote(message).ifPresent(traceback::add);
        }
        if (traceback.isEmpty()) {
            traceback.add("the code was rejected without a diagnostic");
        }
        Matcher command = JSHELL_COMMAND.matcher(source);
        if (command.lookingAt()) {
            // jshell users type /vars or /imports by habit; javac's "illegal start of expression" hides why
            traceback.add("note: " + command.group(1) + " is a command of the jshell tool, not Java, and cells are"
                    + " Java; %lsmagic lists what the kernel adds");
        }
        return new ErrorInfo("CompilationError", evalue.isEmpty() ? "the code does not compile" : evalue, traceback);
    }

    /**
     * JShell makes every record a cell declares public, so javac wants its canonical constructor public too and
     * refuses one written without a modifier — as records are usually written, {@code Point { … }} — with a reason
     * that reads as nonsense in a cell ("attempting to assign stronger access privileges; was public").
     */
    static Optional<String> recordConstructorNote(String message) {
        Matcher record = RECORD_CONSTRUCTOR.matcher(message);
        if (!record.find() || !message.contains("stronger access privileges")) {
            return Optional.empty();
        }
        return Optional.of("note: JShell makes a cell's records public, so their canonical constructor must be public"
                + " too: write public " + record.group(1) + "(…) or, compact, public " + record.group(1) + " { … }");
    }

    /**
     * javac's message for {@code diag}, without the line that would name JShell's wrapper class: JShell blanks the
     * name, leaving a bare {@code location: class} under "cannot find symbol".
     */
    static String message(Diag diag) {
        return String.join(
                "\n",
                diag.getMessage(null)
                        .lines()
                        .filter(line -> !line.strip().equals("location: class"))
                        .toList());
    }

    /** An exception thrown by a snippet; {@code snippetLines} maps snippet ids to their 0-based line in the cell. */
    public static ErrorInfo exception(JShellException exception, Map<String, Integer> snippetLines) {
        if (exception instanceof UnresolvedReferenceException unresolved) {
            String what = unresolved.getSnippet().toString();
            String message = "this uses a definition that is missing something it refers to; define that first";
            return new ErrorInfo(
                    "UnresolvedReference",
                    message,
                    List.of(BOLD_RED + "UnresolvedReference" + RESET + ": " + message, "    " + what.strip()));
        }
        EvalException eval = (EvalException) exception;
        String className = eval.getExceptionClassName();
        if (ExitTrap.SystemExit.class.getName().equals(className)) {
            return new ErrorInfo(
                    "SystemExit",
                    eval.getMessage(),
                    List.of(BOLD_RED + "SystemExit" + RESET + ": " + eval.getMessage()));
        }
        List<String> traceback = snippetTrace(eval, snippetLines, true);
        String evalue = eval.getMessage() == null ? "" : WrapperNames.strip(eval.getMessage());
        return new ErrorInfo(simpleName(WrapperNames.strip(className)), evalue, traceback);
    }

    /**
     * What a cell's background thread died of, as plain lines for its stderr and the kernel log: snippet frames
     * named as in a cell's trace, repeats collapsed.
     */
    public static List<String> backgroundTrace(Throwable error) {
        return snippetTrace(error, Map.of(), false);
    }

    /** The headline and frames of {@code top} and its causes, in snippet terms, up to JShell's and the kernel's own. */
    private static List<String> snippetTrace(Throwable top, Map<String, Integer> snippetLines, boolean colour) {
        List<String> traceback = new ArrayList<>();
        Throwable current = top;
        boolean first = true;
        while (current != null) {
            String name = WrapperNames.strip(
                    current instanceof EvalException e
                            ? e.getExceptionClassName()
                            : current.getClass().getName());
            String message = WrapperNames.strip(current.getMessage());
            String headline = (first ? "" : "Caused by: ") + name + (message == null ? "" : ": " + message);
            traceback.add(first && colour ? BOLD_RED + headline + RESET : headline);
            List<String> frames = new ArrayList<>();
            for (StackTraceElement frame : current.getStackTrace()) {
                if (isInternal(frame)) {
                    break;
                }
                frames.add("    at " + describe(frame, snippetLines));
            }
            traceback.addAll(collapseRepeats(frames));
            current = current.getCause();
            first = false;
        }
        return traceback;
    }

    public static ErrorInfo interrupted() {
        return new ErrorInfo(
                "Interrupted",
                "the cell was interrupted",
                List.of(BOLD_RED + "Interrupted" + RESET
                        + ": the cell was interrupted; what it defined before stays defined"));
    }

    /** A magic's user error: the one-line message is all there is to show. */
    public static ErrorInfo magicError(String message) {
        return new ErrorInfo("MagicError", message, List.of(BOLD_RED + "MagicError" + RESET + ": " + message));
    }

    /** An unexpected exception from kernel-side code (a magic's bug, a renderer). */
    public static ErrorInfo javaException(Throwable error) {
        List<String> traceback = new ArrayList<>();
        Throwable current = error;
        boolean first = true;
        while (current != null) {
            String headline = (first ? "" : "Caused by: ") + current;
            traceback.add(first ? BOLD_RED + headline + RESET : headline);
            List<String> frames = new ArrayList<>();
            for (StackTraceElement frame : current.getStackTrace()) {
                if (frame.getClassName().startsWith("dev.easel.kernel.")) {
                    break;
                }
                frames.add("    at " + frame);
            }
            traceback.addAll(collapseRepeats(frames));
            current = current.getCause();
            first = false;
        }
        String evalue = error.getMessage() == null ? "" : error.getMessage();
        return new ErrorInfo(error.getClass().getSimpleName(), evalue, traceback);
    }

    /**
     * {@code frames} with each run of a repeating frame (or of a repeating group of up to {@link #MAX_CYCLE} frames,
     * as mutual recursion makes) cut to its first {@link #KEEP_REPEATED} lines and a line that counts the rest: a
     * StackOverflowError's 1,024 identical frames become 5 and "… 1,019 more of the same".
     */
    static List<String> collapseRepeats(List<String> frames) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < frames.size()) {
            int bestPeriod = 0;
            int bestRepeats = 1;
            for (int period = 1; period <= MAX_CYCLE && i + 2 * period <= frames.size(); period++) {
                int repeats = 1;
                while (i + (repeats + 1) * period <= frames.size()
                        && frames.subList(i + repeats * period, i + (repeats + 1) * period)
                                .equals(frames.subList(i, i + period))) {
                    repeats++;
                }
                if (repeats * period > bestRepeats * Math.max(bestPeriod, 1) && repeats >= 2) {
                    bestPeriod = period;
                    bestRepeats = repeats;
                }
            }
            int shownRepeats = bestPeriod == 0 ? 1 : Math.max(1, (KEEP_REPEATED + bestPeriod - 1) / bestPeriod);
            int omitted = bestPeriod == 0 ? 0 : (bestRepeats - shownRepeats) * bestPeriod;
            if (omitted < 2) { // not worth a line of its own
                out.add(frames.get(i));
                i++;
                continue;
            }
            out.addAll(frames.subList(i, i + shownRepeats * bestPeriod));
            out.add(String.format("    … %,d more of the same", omitted)
                    + (bestPeriod == 1 ? "" : " (" + bestPeriod + " frames repeating)"));
            i += bestRepeats * bestPeriod;
        }
        return out;
    }

    private static boolean isInternal(StackTraceElement frame) {
        String type = frame.getClassName();
        return type.startsWith("jdk.internal.reflect.")
                || type.startsWith("java.lang.reflect.")
                || type.startsWith("jdk.jshell.")
                || type.startsWith("dev.easel.kernel.");
    }

    private static String describe(StackTraceElement frame, Map<String, Integer> snippetLines) {
        String file = frame.getFileName() == null ? "" : frame.getFileName();
        boolean snippet =
                frame.getClassName().isEmpty() || frame.getClassName().startsWith("REPL.") || file.startsWith("#");
        if (!snippet) {
            return frame.toString();
        }
        String method = frame.getMethodName().isEmpty() || frame.getMethodName().equals("do_it$")
                ? "<cell>"
                : frame.getMethodName();
        Integer firstLine = snippetLines.get(file.startsWith("#") ? file.substring(1) : file);
        if (firstLine == null || frame.getLineNumber() < 0) {
            return method + " (cell)";
        }
        return method + " (cell line " + (firstLine + frame.getLineNumber()) + ")";
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static int clamp(int value, int length) {
        return Math.max(0, Math.min(value, length));
    }
}
