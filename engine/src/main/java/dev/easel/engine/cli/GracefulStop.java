package dev.easel.engine.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C during a training run: instead of dying mid-step, ask the loop to stop at the next step boundary and let
 * it write its checkpoint before the JVM exits. Open it around the run; {@link #requested()} is the loop's cancel.
 */
final class GracefulStop implements AutoCloseable {

    /** How long the JVM waits for the checkpoint after Ctrl-C. */
    private static final long GRACE_SECONDS = 120;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    GracefulStop() {
        hook = new Thread(
                () -> {
                    requested.set(true);
                    try {
                        finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "easel-graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean requested() {
        return requested.get();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and now lets the JVM exit
        }
    }
}
