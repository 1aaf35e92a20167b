package dev.easel.notebook;

import dev.easel.display.Display;
import dev.easel.display.DisplayHandle;
import dev.easel.display.MimeBundle;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A progress bar for long jobs — model loading, sampling, training, parameter sweeps — shown in ONE output area that
 * is updated in place ({@code update_display_data}): an HTML bar for notebooks and a text line for
 * {@code jupyter console}, with done/total, speed and time left.
 *
 * <pre>{@code
 * try (Progress progress = Progress.start("Training", 1000, "step")) {
 *     for (int i = 0; i < 1000; i++) {
 *         trainOneStep();
 *         progress.metric("loss", loss).step();
 *     }
 * }   // closing marks it done (or "interrupted" when the thread was interrupted)
 * }</pre>
 *
 * Updates are throttled (at most one every {@link #MIN_UPDATE_NANOS} ns, plus the first and the last), so calling
 * {@link #step} thousands of times a second costs nothing on the wire. Thread-safe.
 */
public final class Progress implements AutoCloseable {

    /** Minimum time between two updates sent to the notebook. */
    public static final long MIN_UPDATE_NANOS = 100_000_000L;

    private static final int TEXT_BAR_WIDTH = 24;

    private final String label;
    private final long total;
    private final String unit;
    private final LongSupplier clock;
    private final DisplayHandle handle;
    private final long startNanos;
    private final Map<String, String> metrics = new LinkedHashMap<>();
    private long done;
    private long lastUpdateNanos;
    private String state = "running";
    private String message = "";

    private Progress(String label, long total, String unit, LongSupplier clock, boolean show) {
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastUpdateNanos = startNanos;
        this.handle = show ? Display.display(bundle()) : null;
    }

    /** Shows a new bar with {@code total} steps ({@code total <= 0}: unknown total, shows a count). */
    public static Progress start(String label, long total) {
        return start(label, total, "it");
    }

    /** {@code unit} names one step in the speed ("it/s", "step/s", "img/s"). */
    public static Progress start(String label, long total, String unit) {
        return new Progress(label, total, unit, System::nanoTime, true);
    }

    /** A bar that is not displayed, with its own clock — for tests and for composing into another display. */
    public static Progress detached(String label, long total, String unit, LongSupplier clock) {
        return new Progress(label, total, unit, clock, false);
    }

    public synchronized Progress step() {
        return advance(1);
    }

    public synchronized Progress advance(long steps) {
        return set(done + steps);
    }

    /** Sets how many steps are done. */
    public synchronized Progress set(long doneSteps) {
        done = doneSteps;
        refresh(total > 0 && done >= total);
        return this;
    }

    /** A named figure shown beside the bar, e.g. {@code metric("loss", 0.123)}; replaces the previous value. */
    public synchronized Progress metric(String name, Object value) {
        metrics.put(
                name,
                value instanceof Double || value instanceof Float
                        ? String.format(Locale.ROOT, "%.4g", ((Number) value).doubleValue())
                        : String.valueOf(value));
        refresh(false);
        return this;
    }

    /** A short status text shown after the figures, e.g. "decoding". */
    public synchronized Progress message(String text) {
        message = text == null ? "" : text;
        refresh(false);
        return this;
    }

    /** Marks the job finished successfully. */
    public synchronized void done() {
        done(null);
    }

    public synchronized void done(String finalMessage) {
        if (!state.equals("running")) {
            return;
        }
        state = "done";
        if (total > 0) {
            done = Math.max(done, total);
        }
        message = finalMessage == null ? "" : finalMessage; // a running status ("image 2/4") is over
        refresh(true);
    }

    /** Marks the job stopped, keeping how far it got (e.g. interrupted, or failed with a message). */
    public synchronized void stop(String reason) {
        if (!state.equals("running")) {
            return;
        }
        state = "stopped";
        message = reason;
        refresh(true);
    }

    /** Done, or "interrupted" when the current thread was interrupted, unless already finished. */
    @Override
    public synchronized void close() {
        if (state.equals("running")) {
            if (Thread.currentThread().isInterrupted() || total > 0 && done < total) {
                stop(Thread.currentThread().isInterrupted() ? "interrupted" : "stopped");
            } else {
                done();
            }
        }
    }

    public synchronized long doneSteps() {
        return done;
    }

    public long total() {
        return total;
    }

    public synchronized boolean isFinished() {
        return !state.equals("running");
    }

    /** Steps per second so far (0 before the first step). */
    public synchronized double rate() {
        double seconds = (clock.getAsLong() - startNanos) / 1e9;
        return seconds <= 0 || done == 0 ? 0 : done / seconds;
    }

    /** What the notebook shows now: text/html and text/plain. */
    public synchronized MimeBundle bundle() {
        return MimeBundle.of(MimeBundle.HTML, html(), text());
    }

    /** The text form, e.g. {@code Sampling [██████░░░░]  9/20 it  45% · 3.20 it/s · 0:02 elapsed · ETA 0:03}. */
    public synchronized String text() {
        StringBuilder line = new StringBuilder(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(TEXT_BAR_WIDTH, TEXT_BAR_WIDTH * done / total);
            line.append('[')
                    .append("█".repeat(filled))
                    .append("░".repeat(TEXT_BAR_WIDTH - filled))
                    .append("] ")
                    .append(done)
                    .append('/')
                    .append(total)
                    .append(' ')
                    .append(unit)
                    .append(String.format(Locale.ROOT, " %3d%%", percent()));
        } else {
            line.append(done).append(' ').append(unit);
        }
        line.append(" · ").append(figures());
        return line.toString();
    }

    private String figures() {
        StringBuilder out = new StringBuilder(speed())
                .append(" · ")
                .append(clockText(elapsedSeconds()))
                .append(" elapsed");
        if (state.equals("running") && total > 0 && done > 0 && done < total) {
            out.append(" · ETA ").append(clockText((total - done) / rate()));
        }
        metrics.forEach((k, v) -> out.append(" · ").append(k).append(' ').append(v));
        if (!message.isEmpty()) {
            out.append(" · ").append(message);
        } else if (state.equals("done")) {
            out.append(" · done");
        }
        return out.toString();
    }

    private String html() {
        String color = state.equals("stopped") ? "#d9534f" : state.equals("done") ? "#5cb85c" : "#337ab7";
        String bar = total > 0
                ? "<div style=\"display:inline-block;width:260px;height:12px;background:#e6e6e6;border-radius:3px;"
                        + "vertical-align:middle;overflow:hidden\"><div style=\"width:" + percent() + "%;height:100%;"
                        + "background:" + color + "\"></div></div> " + done + "/" + total + " " + escape(unit)
                : done + " " + escape(unit);
        return "<div class=\"easel-progress\" style=\"font-family:monospace;font-size:12px\">" + "<b>" + escape(label)
                + "</b> " + bar + " · " + escape(figures()) + "</div>";
    }

    private int percent() {
        return total <= 0 ? 0 : (int) Math.min(100, 100 * done / total);
    }

    private double elapsedSeconds() {
        return (clock.getAsLong() - startNanos) / 1e9;
    }

    private String speed() {
        double rate = rate();
        if (rate == 0) {
            return "– " + unit + "/s";
        }
        return rate >= 1
                ? String.format(Locale.ROOT, "%.2f %s/s", rate, unit)
                : String.format(Locale.ROOT, "%.2f s/%s", 1 / rate, unit);
    }

    /** Seconds as m:ss or h:mm:ss. */
    static String clockText(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }

    private void refresh(boolean force) {
        long now = clock.getAsLong();
        if (handle == null || !force && now - lastUpdateNanos < MIN_UPDATE_NANOS) {
            return;
        }
        lastUpdateNanos = now;
        handle.update(bundle());
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public String toString() {
        return text();
    }
}
