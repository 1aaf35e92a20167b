package dev.easel.kernel.interpreter;

/**
 * What {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} mean inside a cell. Snippet classes are
 * rewritten on load ({@link ExitCallRewriter}) so that those calls land here: instead of ending the kernel's JVM, the
 * cell fails with a {@link SystemExit} error — or, in a background thread, the thread ends and says so on the cell's
 * stderr — and the kernel keeps running. Works the same on every JDK, with or without a SecurityManager.
 */
public final class ExitTrap {

    private ExitTrap() {}

    /** Replaces {@code java.lang.System.exit(int)} in snippet code. */
    public static void exit(int status) {
        throw new SystemExit("System.exit", status);
    }

    /** Replaces {@code runtime.exit(status)} in snippet code. */
    public static void exit(Runtime runtime, int status) {
        throw new SystemExit("Runtime.exit", status);
    }

    /** Replaces {@code runtime.halt(status)} in snippet code, which would end the kernel without a reply. */
    public static void halt(Runtime runtime, int status) {
        throw new SystemExit("Runtime.halt", status);
    }

    /** Thrown instead of exiting the JVM. */
    public static final class SystemExit extends RuntimeException {

        public SystemExit(String call, int status) {
            super(call + "(" + status + ") was called; the kernel keeps running (restart it to start afresh)");
        }
    }
}
