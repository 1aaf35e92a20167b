package dev.easel.engine.prompt;

import dev.easel.engine.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's attention syntax: {@code (text)} multiplies the weight of its tokens by 1.1, {@code [text]} divides it by
 * 1.1, {@code (text:1.3)} sets a factor, nesting multiplies, {@code \(} {@code \)} {@code \[} {@code \]} are literal
 * brackets, and {@code BREAK} (upper case, a word of its own) starts a new 75-token chunk.
 *
 * <p>Read as A1111's {@code parse_prompt_attention} reads it, leniently: a bracket that never closes still applies
 * to the rest of the prompt, a closing bracket without an opening one is text, {@code :} outside a weight is text.
 * Two cases A1111 gets wrong are errors instead, since their result is never what was meant: a weight that looks
 * like a number but is not one ({@code (cat:1.2.3)}, {@code (cat:1,5)}), and {@code BREAK} inside brackets (A1111
 * encodes it as the word "BREAK" with a negative weight).
 */
public final class PromptAttention {

    /** A run of text with one weight, or a chunk break. */
    public record Span(String text, double weight, boolean isBreak) {

        static Span text(String text, double weight) {
            return new Span(text, weight, false);
        }

        static final Span BREAK = new Span("BREAK", 1.0, true);
    }

    /** The tokens of the syntax, in A1111's order of preference. */
    private static final Pattern TOKEN = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:\\s*([+-]?[.\\d]+)\\s*\\)|\\)|]|[^\\\\()\\[\\]:]+|:");

    private static final Pattern BREAK_WORD = Pattern.compile("\\s*\\bBREAK\\b\\s*");
    /** {@code (word:1,5)}: a decimal comma where the weight should be; A1111 would read it as text. */
    private static final Pattern DECIMAL_COMMA = Pattern.compile(":\\s*[+-]?\\d+,\\d+\\s*\\)");

    static final double ROUND = 1.1;
    static final double SQUARE = 1 / 1.1;

    private PromptAttention() {}

    /** The spans of {@code prompt}, neighbours of equal weight merged; never empty. */
    public static List<Span> parse(String prompt) {
        Matcher comma = DECIMAL_COMMA.matcher(prompt);
        if (comma.find()) {
            throw new EngineException("prompt weight '" + comma.group().replaceAll("[:)\\s]", "")
                    + "' is not a number; write it with a dot, e.g. (word:"
                    + comma.group().replaceAll("[:)\\s]", "").replace(',', '.') + ")");
        }
        List<double[]> weights = new ArrayList<>(); // parallel to texts: one mutable weight each
        List<String> texts = new ArrayList<>();
        List<Integer> round = new ArrayList<>();
        List<Integer> square = new ArrayList<>();
        Matcher m = TOKEN.matcher(prompt);
        while (m.find()) {
            String token = m.group();
            String weight = m.group(1);
            if (token.startsWith("\\")) {
                add(texts, weights, token.length() > 1 ? token.substring(1) : token, 1.0);
            } else if (token.equals("(")) {
                round.add(texts.size());
            } else if (token.equals("[")) {
                square.add(texts.size());
            } else if (weight != null && !round.isEmpty()) {
                multiply(weights, round.remove(round.size() - 1), number(weight));
            } else if (token.equals(")") && !round.isEmpty()) {
                multiply(weights, round.remove(round.size() - 1), ROUND);
            } else if (token.equals("]") && !square.isEmpty()) {
                multiply(weights, square.remove(square.size() - 1), SQUARE);
            } else {
                String[] parts = BREAK_WORD.split(token, -1);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        if (!round.isEmpty() || !square.isEmpty()) {
                            throw new EngineException("BREAK inside brackets has no effect in the web UIs either; put"
                                    + " it outside ( ) and [ ], e.g. (red hat) BREAK blue shoes");
                        }
                        texts.add(null);
                        weights.add(new double[] {1.0});
                    }
                    add(texts, weights, parts[i], 1.0);
                }
            }
        }
        for (int pos : round) {
            multiply(weights, pos, ROUND);
        }
        for (int pos : square) {
            multiply(weights, pos, SQUARE);
        }
        List<Span> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            double w = weights.get(i)[0];
            Span last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (t == null) {
                out.add(Span.BREAK);
            } else if (last != null && !last.isBreak() && last.weight() == w) {
                out.set(out.size() - 1, Span.text(last.text() + t, w));
            } else {
                out.add(Span.text(t, w));
            }
        }
        if (out.isEmpty()) {
            out.add(Span.text("", 1.0));
        }
        return out;
    }

    /** Whether {@code prompt} uses any of the syntax (so the plain and the A1111 reading can differ). */
    public static boolean hasSyntax(String prompt) {
        List<Span> spans = parse(prompt);
        return spans.size() != 1
                || spans.get(0).weight() != 1.0
                || !spans.get(0).text().equals(prompt);
    }

    private static void add(List<String> texts, List<double[]> weights, String text, double weight) {
        texts.add(text);
        weights.add(new double[] {weight});
    }

    private static void multiply(List<double[]> weights, int from, double factor) {
        for (int i = from; i < weights.size(); i++) {
            weights.get(i)[0] *= factor;
        }
    }

    private static double number(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new EngineException("prompt weight '" + text + "' is not a number; write one such as (word:1.2)");
        }
    }
}
