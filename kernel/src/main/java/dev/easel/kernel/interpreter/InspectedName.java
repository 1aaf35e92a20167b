package dev.easel.kernel.interpreter;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Which name an inspection request (Shift-Tab, {@code name?}) is about: the name at the cursor or just before it, or
 * else — the cursor inside a call's parentheses, where JupyterLab users press Shift-Tab while typing arguments — the
 * name being called, as IPython does.
 *
 * @param begin where the name starts, a qualifier with its dots included ({@code Math.abs})
 * @param end   where it ends
 */
record InspectedName(int begin, int end) {

    /** The name {@code cursor} points at in {@code text} (one snippet), if any. */
    static Optional<InspectedName> find(String text, int cursor) {
        int end = cursor;
        while (end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) {
            end++;
        }
        Optional<InspectedName> atCursor = ending(text, end);
        if (atCursor.isPresent()) {
            return atCursor;
        }
        int open = unclosedParenthesis(text, cursor);
        if (open < 0) {
            return Optional.empty();
        }
        int called = open;
        while (called > 0 && Character.isWhitespace(text.charAt(called - 1))) {
            called--;
        }
        return ending(text, called);
    }

    private static Optional<InspectedName> ending(String text, int end) {
        int begin = end;
        while (begin > 0 && (Character.isJavaIdentifierPart(text.charAt(begin - 1)) || text.charAt(begin - 1) == '.')) {
            begin--;
        }
        return begin == end ? Optional.empty() : Optional.of(new InspectedName(begin, end));
    }

    /** The innermost {@code (} before {@code cursor} that is not closed before it, skipping literals and comments. */
    private static int unclosedParenthesis(String text, int cursor) {
        Deque<Integer> open = new ArrayDeque<>();
        for (int i = 0; i < cursor; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = closingQuote(text, i, cursor);
            } else if (text.startsWith("//", i)) {
                i = indexOrEnd(text, "\n", i, cursor);
            } else if (text.startsWith("/*", i)) {
                i = indexOrEnd(text, "*/", i + 2, cursor) + 1;
            } else if (c == '(') {
                open.push(i);
            } else if (c == ')' && !open.isEmpty()) {
                open.pop();
            }
        }
        return open.isEmpty() ? -1 : open.peek();
    }

    private static int closingQuote(String text, int opening, int limit) {
        char quote = text.charAt(opening);
        for (int i = opening + 1; i < limit; i++) {
            if (text.charAt(i) == '\\') {
                i++;
            } else if (text.charAt(i) == quote) {
                return i;
            }
        }
        return limit;
    }

    private static int indexOrEnd(String text, String what, int from, int limit) {
        int index = text.indexOf(what, from);
        return index < 0 || index >= limit ? limit : index;
    }
}
