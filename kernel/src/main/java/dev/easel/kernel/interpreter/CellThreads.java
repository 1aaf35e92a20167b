package dev.easel.kernel.interpreter;

import java.util.ArrayList;
import java.util.List;

/**
 * The threads a cell's snippet runs on. JShell runs each snippet in a new thread of a new thread group (named
 * {@value #JSHELL_GROUP}, on JDK 17 and 25 alike), and threads the snippet starts join that group: so the running
 * cell's threads are the group of the one thread now inside JShell's invocation, and background threads started by
 * earlier cells — in older groups of the same name — are not among them.
 */
final class CellThreads {

    static final String JSHELL_GROUP = "JShell process local execution";

    /** The frame at the bottom of a snippet thread: the invocation JShell starts the snippet with. */
    private static final String INVOKER = "jdk.jshell.execution.LocalExecutionControl";

    private CellThreads() {}

    /** The running snippet's thread and the threads it started, or none when no snippet runs. */
    static List<Thread> ofRunningSnippet() {
        ThreadGroup group = null;
        for (Thread thread : allThreads(root())) {
            ThreadGroup candidate = thread.getThreadGroup();
            if (candidate != null && JSHELL_GROUP.equals(candidate.getName()) && runsSnippetInvocation(thread)) {
                group = candidate;
                break;
            }
        }
        return group == null ? List.of() : allThreads(group);
    }

    /**
     * Gives each live thread that cells started and that has no handler of its own {@link CellThreadGroup}'s report
     * as its uncaught-exception handler. Run after each snippet: on JDK 25 JShell's thread group drops what its
     * threads die of without asking its parent group, so a background thread still running when its snippet ends is
     * reported this way (one that dies while its snippet still runs is not).
     */
    static void reportWhatBackgroundThreadsDieOf() {
        for (Thread thread : allThreads(root())) {
            ThreadGroup group = thread.getThreadGroup();
            if (group != null
                    && JSHELL_GROUP.equals(group.getName())
                    && thread.getUncaughtExceptionHandler() == group) {
                thread.setUncaughtExceptionHandler(CellThreadGroup::report);
            }
        }
    }

    private static boolean runsSnippetInvocation(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals(INVOKER)) {
                return true;
            }
        }
        return false;
    }

    private static ThreadGroup root() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return root;
    }

    private static List<Thread> allThreads(ThreadGroup group) {
        Thread[] threads;
        int count;
        do {
            threads = new Thread[group.activeCount() + 16];
            count = group.enumerate(threads, true);
        } while (count == threads.length);
        List<Thread> found = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            found.add(threads[i]);
        }
        return found;
    }
}
