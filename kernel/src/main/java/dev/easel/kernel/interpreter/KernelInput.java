package dev.easel.kernel.interpreter;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code System.in} for cells: a read asks the client for a line ({@code input_request}) through the current
 * {@link LineReader}, and waits interruptibly, so an interrupt ends a blocked read.
 */
public final class KernelInput extends InputStream {

    /** Asks the client for one line; null when the client does not accept input. */
    public interface LineReader {
        String readLine(String prompt, boolean password) throws InterruptedException;
    }

    private volatile LineReader reader;
    private byte[] buffer = new byte[0];
    private int position;

    /** Sets where lines come from for the running cell; null when the request did not allow stdin. */
    public void setReader(LineReader reader) {
        this.reader = reader;
    }

    @Override
    public synchronized int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return buffer[position++] & 0xFF;
    }

    @Override
    public synchronized int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int count = Math.min(length, buffer.length - position);
        System.arraycopy(buffer, position, target, offset, count);
        position += count;
        return count;
    }

    @Override
    public synchronized int available() {
        return buffer.length - position;
    }

    private boolean fill() throws IOException {
        if (position < buffer.length) {
            return true;
        }
        LineReader current = reader;
        if (current == null) {
            throw new IOException("this client does not accept input (allow_stdin is false)");
        }
        String line;
        try {
            line = current.readLine("", false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("reading input was interrupted");
        }
        if (line == null) {
            return false;
        }
        buffer = (line + "\n").getBytes(StandardCharsets.UTF_8);
        position = 0;
        return true;
    }
}
