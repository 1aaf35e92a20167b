package dev.easel.engine.sweep;

import dev.easel.engine.EngineException;
import dev.easel.engine.pipeline.GenerationLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an axis's values in the syntax of the AUTOMATIC1111 X/Y/Z plot: comma-separated, double-quoted when a value
 * contains a comma ({@code "a, b",c}); for numbers also ranges — {@code 1-5} (every whole number), {@code 1-5 (+2)} and
 * {@code 10-5 (-3)} (a step), {@code 1-10 [5]} (that many evenly spaced values) — in whole or decimal numbers.
 */
final class AxisValueParser {

    private static final String NUMBER = "[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)";
    private static final Pattern STEP_RANGE =
            Pattern.compile("(" + NUMBER + ")\\s*-\\s*(" + NUMBER + ")\\s*(?:\\(\\s*(" + NUMBER + ")\\s*\\))?");
    private static final Pattern COUNT_RANGE =
            Pattern.compile("(" + NUMBER + ")\\s*-\\s*(" + NUMBER + ")\\s*\\[\\s*(\\d+)\\s*\\]");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*[xX×]\\s*(\\d+)");
    /** Ranges longer than this are certainly a typo (and a grid nobody could look at). */
    private static final int MAX_VALUES = 10_000;

    private final AxisType type;

    AxisValueParser(AxisType type) {
        this.type = type;
    }

    List<Object> parse(String text) {
        if (text.isBlank()) {
            throw new AxisSyntaxException(type.id() + " axis: no values; write e.g. " + example());
        }
        List<Object> values = new ArrayList<>();
        for (Item item : split(text)) {
            String raw = item.text().strip();
            if (raw.isEmpty()) {
                throw error(item, "an empty value; remove the extra comma or write a value");
            }
            switch (type.kind()) {
                case INTEGER -> values.addAll(integers(item, raw));
                case DECIMAL -> values.addAll(decimals(item, raw));
                case SIZE -> values.add(size(item, raw));
                case TEXT -> values.add(raw);
            }
        }
        if (values.size() > MAX_VALUES) {
            throw new AxisSyntaxException(
                    type.id() + " axis: " + values.size() + " values; use a larger step or fewer values");
        }
        return values;
    }

    /** One comma-separated item and where it starts in the values text (0-based). */
    private record Item(String text, int start) {}

    private List<Item> split(String text) {
        List<Item> items = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    current.append('"'); // "" inside quotes is a literal quote, as in CSV
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                items.add(new Item(current.toString(), start));
                current.setLength(0);
                start = i + 1;
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw new AxisSyntaxException(type.id() + " axis: the quote opened at character "
                    + (text.lastIndexOf('"') + 1) + " is never closed; close it with \"");
        }
        items.add(new Item(current.toString(), start));
        return items;
    }

    private List<Long> integers(Item item, String raw) {
        List<Long> result = new ArrayList<>();
        Matcher count = COUNT_RANGE.matcher(raw);
        Matcher step = STEP_RANGE.matcher(raw);
        if (count.matches()) {
            long first = wholeNumber(item, count.group(1));
            long last = wholeNumber(item, count.group(2));
            int n = countOf(item, count.group(3));
            for (int i = 0; i < n; i++) {
                // As numpy's linspace(...).astype(int): evenly spaced, truncated towards zero.
                result.add((long) (n == 1 ? first : first + (double) (last - first) * i / (n - 1)));
            }
        } else if (step.matches() && !isPlainNumber(raw)) {
            long first = wholeNumber(item, step.group(1));
            long last = wholeNumber(item, step.group(2));
            long by = step.group(3) == null ? (last >= first ? 1 : -1) : wholeNumber(item, step.group(3));
            checkStep(item, first, last, by);
            for (long v = first; by > 0 ? v <= last : v >= last; v += by) {
                result.add(v);
                checkSize(result.size());
            }
        } else if (isPlainNumber(raw)) {
            result.add(wholeNumber(item, raw));
        } else {
            throw error(item, "'" + raw + "' is not a whole number or a range like 1-5, 1-5 (+2) or 1-10 [5]");
        }
        return result;
    }

    private List<Double> decimals(Item item, String raw) {
        List<Double> result = new ArrayList<>();
        Matcher count = COUNT_RANGE.matcher(raw);
        Matcher step = STEP_RANGE.matcher(raw);
        if (count.matches()) {
            double first = decimal(count.group(1));
            double last = decimal(count.group(2));
            int n = countOf(item, count.group(3));
            for (int i = 0; i < n; i++) {
                result.add(round(n == 1 ? first : first + (last - first) * i / (n - 1)));
            }
        } else if (step.matches() && !isPlainNumber(raw)) {
            double first = decimal(step.group(1));
            double last = decimal(step.group(2));
            double by = step.group(3) == null ? (last >= first ? 1 : -1) : decimal(step.group(3));
            checkStep(item, first, last, by);
            // Count steps rather than accumulate, so 0.5-1.5 (+0.1) ends at exactly 1.5.
            long steps = (long) Math.floor((last - first) / by + 1e-9);
            for (long i = 0; i <= steps; i++) {
                result.add(round(first + i * by));
                checkSize(result.size());
            }
        } else if (isPlainNumber(raw)) {
            result.add(decimal(raw));
        } else {
            throw error(item, "'" + raw + "' is not a number or a range like 3-9 [4] or 0.5-1.5 (+0.25)");
        }
        return result;
    }

    private ImageSize size(Item item, String raw) {
        Matcher m = SIZE.matcher(raw);
        if (!m.matches()) {
            throw error(item, "'" + raw + "' is not a size; write WIDTHxHEIGHT, e.g. 512x768");
        }
        try {
            int width = Integer.parseInt(m.group(1));
            int height = Integer.parseInt(m.group(2));
            GenerationLimits.checkSize(width, height);
            return new ImageSize(width, height);
        } catch (NumberFormatException e) {
            throw error(item, "size " + raw + " is larger than " + GenerationLimits.MAX_SIDE + " pixels a side");
        } catch (EngineException e) {
            throw error(item, e.getMessage());
        }
    }

    private void checkStep(Item item, double first, double last, double by) {
        if (by == 0) {
            throw error(item, "a range step of 0 never ends; use e.g. (+1)");
        }
        if ((last - first) * by < 0) {
            throw error(
                    item,
                    "the step " + (by > 0 ? "+" : "") + format(by) + " goes away from " + format(last) + "; use ("
                            + (by > 0 ? "-" : "+") + format(Math.abs(by)) + ")");
        }
    }

    private void checkSize(int size) {
        if (size > MAX_VALUES) {
            throw new AxisSyntaxException(type.id() + " axis: more than " + MAX_VALUES + " values; use a larger step");
        }
    }

    private int countOf(Item item, String text) {
        int n = Integer.parseInt(text);
        if (n < 1) {
            throw error(item, "[" + n + "] asks for no values; ask for at least [1]");
        }
        return n;
    }

    private long wholeNumber(Item item, String text) {
        try {
            return Long.parseLong(text.replace("+", ""));
        } catch (NumberFormatException e) {
            throw error(item, "'" + text + "' is not a whole number");
        }
    }

    private static double decimal(String text) {
        return Double.parseDouble(text);
    }

    private static boolean isPlainNumber(String raw) {
        return raw.matches(NUMBER);
    }

    private static double round(double value) {
        return Math.round(value * 1e9) / 1e9;
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private AxisSyntaxException error(Item item, String problem) {
        return new AxisSyntaxException(type.id() + " axis, value at character " + (item.start() + 1) + ": " + problem);
    }

    private String example() {
        return switch (type.kind()) {
            case INTEGER -> type.id() + ":10,20,30";
            case DECIMAL -> type.id() + ":3-9 [4]";
            case SIZE -> type.id() + ":512x512,768x512";
            case TEXT -> type.id() + ":a,b";
        };
    }
}
