package dev.easel.kernel.handlers;

/**
 * Cursor positions at the protocol boundary. Jupyter counts {@code cursor_pos}, {@code cursor_start} and
 * {@code cursor_end} in Unicode code points (protocol 5.2 and later); Java strings index UTF-16 units, in which an
 * emoji counts two. Requests are converted on the way in, replies on the way out.
 */
final class CursorPosition {

    private CursorPosition() {}

    /** The Java index of code point {@code codePoints} of {@code code} (clamped to the text). */
    static int toJava(String code, int codePoints) {
        int available = code.codePointCount(0, code.length());
        return code.offsetByCodePoints(0, Math.max(0, Math.min(codePoints, available)));
    }

    /** The number of code points before Java index {@code index} of {@code code}. */
    static int toProtocol(String code, int index) {
        return code.codePointCount(0, Math.max(0, Math.min(index, code.length())));
    }
}
