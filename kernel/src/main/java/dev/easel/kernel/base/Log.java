package dev.easel.kernel.base;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * The kernel's own log: the process's real standard error, captured before cells' output is redirected, so log lines
 * never end up in a notebook.
 */
public final class Log {

    private static final PrintStream ERR = System.err;
    private static volatile boolean debug = System.getenv("EASEL_DEBUG") != null;

    private Log() {}

    public static PrintStream stream() {
        return ERR;
    }

    public static void info(String message) {
        ERR.println(prefix("INFO") + message);
    }

    public static void debug(String message) {
        if (debug) {
            ERR.println(prefix("DEBUG") + message);
        }
    }

    public static void warn(String message) {
        ERR.println(prefix("WARN") + message);
    }

    public static void error(String message, Throwable e) {
        ERR.println(prefix("ERROR") + message);
        e.printStackTrace(ERR);
    }

    private static String prefix(String level) {
        return "[easel " + level + " " + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + "] ";
    }
}
