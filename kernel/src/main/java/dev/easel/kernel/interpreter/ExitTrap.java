package dev.easel.kernel.interpreter;

/**
 * What {@code System.exit} means inside a cell. Snippet classes are rewritten on load ({@link ExitCallRewriter}) so
 * that their {@code System.exit(status)} calls land here: instead of ending the kernel's JVM, the cell fails with a
 * {@link SystemExit} error and the kernel keeps running. Works the same on every JDK, with or without a
 * SecurityManager.
 */
public final class ExitTrap {

    private ExitTrap() {
    }

    /** Replaces {@code java.lang.System.exit(int)} in snippet code. */
    public static void exit(int status) {
        throw new SystemExit(status);
    }

    /** Thrown instead of exiting the JVM. */
    public static final class SystemExit extends RuntimeException {

        public SystemExit(int status) {
            super("System.exit(" + status + ") was called; the kernel keeps running (restart it to start afresh)");
        }
    }
}
