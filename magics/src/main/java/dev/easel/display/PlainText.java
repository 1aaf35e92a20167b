package dev.easel.display;

import java.lang.reflect.Array;
import java.util.Locale;

/**
 * The text a value no renderer knows is shown as: {@code String.valueOf}, except for arrays, whose own
 * {@code toString} ({@code [I@7b9503da}) says nothing. Arrays read as jshell prints them — {@code int[3] { 1, 2, 3 }},
 * strings and chars inside quoted, nested arrays the same way — cut after {@link #MAX_ELEMENTS} elements so that a
 * million-element array does not flood the notebook.
 */
final class PlainText {

    static final int MAX_ELEMENTS = 1000;

    private PlainText() {}

    static String of(Object value) {
        if (value == null || !value.getClass().isArray()) {
            return String.valueOf(value);
        }
        StringBuilder text = new StringBuilder();
        appendArray(text, value);
        return text.toString();
    }

    private static void appendArray(StringBuilder text, Object array) {
        int length = Array.getLength(array);
        Class<?> innermost = array.getClass().getComponentType();
        StringBuilder brackets = new StringBuilder();
        while (innermost.isArray()) {
            innermost = innermost.getComponentType();
            brackets.append("[]");
        }
        text.append(innermost.getSimpleName())
                .append('[')
                .append(length)
                .append(']')
                .append(brackets)
                .append(" { ");
        int shown = Math.min(length, MAX_ELEMENTS);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                text.append(", ");
            }
            appendElement(text, Array.get(array, i));
        }
        if (shown < length) {
            text.append(String.format(Locale.ROOT, ", … %,d more", length - shown));
        }
        text.append(" }");
    }

    private static void appendElement(StringBuilder text, Object element) {
        if (element instanceof String string) {
            text.append('"');
            string.chars()
                    .forEach(c -> text.append(
                            switch (c) {
                                case '"' -> "\\\"";
                                case '\\' -> "\\\\";
                                case '\n' -> "\\n";
                                case '\t' -> "\\t";
                                case '\r' -> "\\r";
                                default -> String.valueOf((char) c);
                            }));
            text.append('"');
        } else if (element instanceof Character character) {
            text.append('\'').append(character).append('\'');
        } else if (element != null && element.getClass().isArray()) {
            appendArray(text, element);
        } else {
            text.append(element);
        }
    }
}
