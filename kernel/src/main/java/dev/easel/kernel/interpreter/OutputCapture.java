package dev.easel.kernel.interpreter;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Replaces {@code System.out} and {@code System.err} once, for the whole JVM, with streams that collect text and send
 * it in batches: at most {@link #FLUSH_MILLIS} after the first unsent byte, or at once when {@link #MAX_BATCH} bytes
 * are waiting. Text goes to the current {@link StreamTarget} — the running cell, or the last one when a background
 * thread prints after its cell ended.
 */
public final class OutputCapture {

    /** Receives batched text, e.g. as iopub {@code stream} messages for the cell's request. */
    public interface StreamTarget {
        void stream(String name, String text);
    }

    public static final long FLUSH_MILLIS = 20;
    public static final int MAX_BATCH = 64 * 1024;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "easel-output-flush");
        thread.setDaemon(true);
        return thread;
    });
    private final Object sendLock = new Object();
    private final Batch stdout = new Batch("stdout");
    private final Batch stderr = new Batch("stderr");
    private volatile StreamTarget target;

    public OutputCapture(StreamTarget initial) {
        this.target = initial;
        // Start the timer thread now, from the kernel's thread: created lazily by a cell's first print it would join
        // the cell's thread group, and JShell stops or joins that whole group.
        timer.submit(() -> {});
    }

    /** Routes this JVM's {@code System.out} and {@code System.err} here. */
    public void install() {
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    /** Sends what is pending to the old target, then routes later text to {@code next}. */
    public void setTarget(StreamTarget next) {
        synchronized (sendLock) {
            flush();
            target = next;
        }
    }

    /**
     * Prints {@code lines} lines into nowhere through {@code System.out}, so that the JIT has compiled the print path
     * (PrintStream, the UTF-8 encoder, this class's batching) before the first cell that prints a lot would run it
     * interpreted. Only while nothing else prints: other text in the meantime is dropped too.
     */
    public void warmUp(int lines) {
        StreamTarget previous;
        synchronized (sendLock) {
            flush();
            previous = target;
            target = (name, text) -> {};
        }
        for (int i = 0; i < lines; i++) {
            System.out.println(i);
        }
        setTarget(previous);
    }

    /** Sends everything written so far, now (before a result or an error, so the order is kept). */
    public void flush() {
        System.out.flush();
        System.err.flush();
        stdout.send();
        stderr.send();
    }

    private final class Batch extends OutputStream {

        private final String name;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private boolean scheduled;

        Batch(String name) {
            this.name = name;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            boolean full;
            synchronized (this) {
                pending.write(bytes, offset, length);
                full = pending.size() >= MAX_BATCH;
                if (!full && !scheduled) {
                    scheduled = true;
                    timer.schedule(this::send, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
            if (full) {
                send();
            }
        }

        void send() {
            synchronized (sendLock) {
                String text;
                synchronized (this) {
                    scheduled = false;
                    byte[] bytes = pending.toByteArray();
                    int complete = completeUtf8Length(bytes);
                    if (complete == 0) {
                        return;
                    }
                    pending.reset();
                    pending.write(bytes, complete, bytes.length - complete);
                    text = new String(Arrays.copyOf(bytes, complete), StandardCharsets.UTF_8);
                }
                StreamTarget current = target;
                if (current != null) {
                    current.stream(name, text);
                }
            }
        }
    }

    /** The length of the longest prefix that does not end inside a multi-byte UTF-8 sequence. */
    static int completeUtf8Length(byte[] bytes) {
        int n = bytes.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead byte
            }
            int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? n - back : n;
        }
        return n;
    }
}
