package dev.easel.engine;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * How the engine's log reaches a person. The engine logs through {@code System.getLogger(className)} and never
 * prints; by default that goes to {@code java.util.logging}'s console handler (two lines per message, on the
 * {@code System.err} of the moment logging started). The command line and the notebook call
 * {@link #showOnStandardError()} once, so warnings such as a cut-off prompt read {@code easel: MESSAGE} on the
 * stderr current when they are logged — in a notebook, the running cell's.
 */
public final class EngineLog {

    /** Loggers are held weakly by java.util.logging: this reference keeps the configured one alive. */
    private static final Logger EASEL = Logger.getLogger("dev.easel");

    private static boolean installed;

    private EngineLog() {}

    /** Shows Easel's messages at INFO and above as one line each on {@code System.err}; idempotent. */
    public static synchronized void showOnStandardError() {
        if (installed) {
            return;
        }
        installed = true;
        EASEL.setUseParentHandlers(false);
        EASEL.addHandler(new Handler() {
            private final Formatter text = new SimpleFormatter();

            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                    System.err.println("easel: " + text.formatMessage(record));
                }
            }

            @Override
            public void flush() {
                System.err.flush();
            }

            @Override
            public void close() {}
        });
    }
}
