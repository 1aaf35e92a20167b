package dev.easel.kernel.interpreter;

import dev.easel.kernel.base.Log;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ThreadFactory;

/**
 * The thread group cells run in, so that what a cell's background threads die of is seen. JShell runs each snippet
 * in a thread group it makes under the group of the thread that runs the cell; threads a snippet starts join it. On
 * JDK 17 an exception no code catches climbs from that group to this one, which writes it to the cell's standard
 * error (the running cell, else the last one, where the text the thread printed went too) and to the kernel log —
 * an {@code System.exit} in a background thread, which the snippet rewriting turns into an exception, included.
 * Without it JShell's own handler drops such exceptions. On JDK 25 JShell's group overrides
 * {@code uncaughtException} and drops them itself, so they never get here: there
 * {@link CellThreads#reportWhatBackgroundThreadsDieOf} gives the threads still running when their snippet ends
 * {@link #report} as their own handler.
 */
public final class CellThreadGroup extends ThreadGroup {

    public CellThreadGroup() {
        super("easel-cells");
    }

    /** Threads in this group, e.g. for the executor that runs cells. */
    public ThreadFactory factory(String name) {
        return runnable -> {
            Thread thread = new Thread(this, runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        if (error instanceof ThreadDeath || error instanceof InvocationTargetException) {
            super.uncaughtException(thread, error); // JShell's bookkeeping of a snippet it stopped
            return;
        }
        report(thread, error);
    }

    /** Writes what {@code thread} died of to the cell's stderr and the kernel log. */
    static void report(Thread thread, Throwable error) {
        if (error instanceof ThreadDeath) {
            return; // stopped by an interrupt of its cell: nothing to report
        }
        String report = describe(thread, error);
        System.err.println(report);
        Log.warn(report);
    }

    /** {@code Exception in thread "worker": …} and the trace, repeats collapsed, as the cell's stderr shows it. */
    static String describe(Thread thread, Throwable error) {
        if (error instanceof ExitTrap.SystemExit) {
            return "In thread \"" + thread.getName() + "\": " + error.getMessage();
        }
        return "Exception in thread \"" + thread.getName() + "\" "
                + String.join("\n", ErrorFormatter.backgroundTrace(error));
    }
}
