package dev.easel.magics.spec;

import dev.easel.magics.MagicException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a magic's argument line into words the way a POSIX shell does, minus expansions: whitespace separates words,
 * {@code '…'} keeps everything literally, {@code "…"} keeps whitespace and understands {@code \"} and {@code \\}, and
 * a backslash outside quotes takes the next character literally. Each word remembers where it started in the line, so
 * a magic can take "the rest of the line" verbatim (prompts keep their commas, parentheses and spacing).
 */
public final class ShellWords {

    /** One word: its value after quote removal, and where it starts and ends in the raw line. */
    public record Word(String value, int start, int end, boolean quoted) {}

    private ShellWords() {}

    /** Just the values, e.g. {@code a "b c" 'd\'} → {@code [a, b c, d\]}. */
    public static List<String> split(String line) {
        return words(line).stream().map(Word::value).toList();
    }

    public static List<Word> words(String line) {
        List<Word> words = new ArrayList<>();
        for (Word word = next(line, 0); word != null; word = next(line, word.end())) {
            words.add(word);
        }
        return words;
    }

    /** The first word at or after {@code from}, or null when only whitespace is left. */
    public static Word next(String line, int from) {
        int i = skipWhitespace(line, from);
        int n = line.length();
        if (i >= n) {
            return null;
        }
        int start = i;
        boolean quoted = false;
        StringBuilder value = new StringBuilder();
        while (i < n && !Character.isWhitespace(line.charAt(i))) {
            char c = line.charAt(i);
            if (c == '\'') {
                quoted = true;
                int close = line.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new MagicException("unclosed ' in the arguments (starting at column " + (i + 1)
                            + "): close the quote, or write \\' for a literal quote");
                }
                value.append(line, i + 1, close);
                i = close + 1;
            } else if (c == '"') {
                quoted = true;
                int opened = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new MagicException("unclosed \" in the arguments (starting at column " + (opened + 1)
                                + "): close the quote, or write \\\" for a literal quote");
                    }
                    char d = line.charAt(i);
                    if (d == '"') {
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        value.append(line.charAt(i + 1));
                        i += 2;
                    } else {
                        value.append(d);
                        i++;
                    }
                }
            } else if (c == '\\') {
                if (i + 1 < n) {
                    value.append(line.charAt(i + 1));
                    i += 2;
                } else {
                    value.append(c);
                    i++;
                }
            } else {
                value.append(c);
                i++;
            }
        }
        return new Word(value.toString(), start, i, quoted);
    }

    static int skipWhitespace(String line, int from) {
        int i = from;
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        return i;
    }
}
