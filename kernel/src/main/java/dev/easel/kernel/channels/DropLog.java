package dev.easel.kernel.channels;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Log lines for dropped messages (bad signature, replay, broken frames), rate-limited: the first
 * {@link #FIRST_IN_FULL} each get their own line, later ones are counted by reason and summed up in one line at most
 * every {@link #SUMMARY_MILLIS}. A flood of forged messages costs a few lines, not one per message.
 */
final class DropLog {

    static final int FIRST_IN_FULL = 5;
    static final long SUMMARY_MILLIS = 10_000;

    private final Consumer<String> log;
    private final LongSupplier clockMillis;
    private final Map<String, Integer> unreported = new TreeMap<>();
    private long total;
    private long lastSummary;

    DropLog(Consumer<String> log) {
        this(log, System::currentTimeMillis);
    }

    DropLog(Consumer<String> log, LongSupplier clockMillis) {
        this.log = log;
        this.clockMillis = clockMillis;
        this.lastSummary = clockMillis.getAsLong();
    }

    synchronized void dropped(String channel, String reason) {
        total++;
        if (total <= FIRST_IN_FULL) {
            log.accept("dropped a message on " + channel + ": " + reason
                    + (total == FIRST_IN_FULL
                            ? " (further drops are counted, one line at most every " + SUMMARY_MILLIS / 1000 + " s)"
                            : ""));
            return;
        }
        // the reason without the details that differ per message ("bad header: …" → "bad header")
        unreported.merge(channel + ": " + reason.split(":", 2)[0], 1, Integer::sum);
        if (clockMillis.getAsLong() - lastSummary >= SUMMARY_MILLIS) {
            flush();
        }
    }

    /** Logs what was counted since the last line, if anything. */
    synchronized void flush() {
        lastSummary = clockMillis.getAsLong();
        if (unreported.isEmpty()) {
            return;
        }
        int count = unreported.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder line = new StringBuilder("dropped " + count + " more messages (" + total + " in all): ");
        unreported.forEach(
                (reason, n) -> line.append(reason).append(" ×").append(n).append("; "));
        log.accept(line.substring(0, line.length() - 2));
        unreported.clear();
    }
}
