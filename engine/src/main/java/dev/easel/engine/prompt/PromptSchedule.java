package dev.easel.engine.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Prompt editing and alternation as A1111's {@code prompt_parser} schedules them: {@code [from:to:when]} uses
 * {@code from} up to step {@code when} and {@code to} after it ({@code when} with a dot is a fraction of the steps,
 * without one a step number; {@code [to:when]} adds, {@code [from::when]} removes), and {@code [a|b|c]} cycles
 * through its options step by step. Either may nest, and attention brackets around them are kept.
 *
 * <p>The result is a list of {@link Entry}: the text to use up to and including step {@code endAtStep}. As in A1111
 * the sampler's call counter (0-based) picks the first entry with {@code endAtStep ≥ counter} ({@link #at}). A prompt
 * the grammar cannot read is used as it is for every step, never an error.
 */
public final class PromptSchedule {

    /** The prompt text to use up to (and including) step {@code endAtStep}. */
    public record Entry(int endAtStep, String text) {}

    private final List<Entry> entries;

    private PromptSchedule(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The schedule of {@code prompt} over {@code steps} sampling steps. */
    public static PromptSchedule of(String prompt, int steps) {
        return of(prompt, steps, 0);
    }

    /**
     * The schedule of the second (hires) pass, when {@code hiresSteps > 0}: A1111 counts fractions 1…2 and step
     * numbers {@code baseSteps+1…} there, so {@code [a:b:1.5]} switches half-way through the hires pass.
     */
    public static PromptSchedule of(String prompt, int baseSteps, int hiresSteps) {
        int steps = hiresSteps > 0 ? hiresSteps : baseSteps;
        int intOffset = hiresSteps > 0 ? baseSteps : 0;
        double fractionOffset = hiresSteps > 0 ? 1.0 : 0.0;
        List<Node> tree;
        try {
            Parser p = new Parser(prompt);
            tree = p.start();
        } catch (NoParse e) {
            return new PromptSchedule(List.of(new Entry(steps, prompt)));
        }
        TreeSet<Integer> ends = new TreeSet<>();
        ends.add(steps);
        collect(tree, steps, intOffset, fractionOffset, ends);
        List<Entry> out = new ArrayList<>();
        for (int end : ends) {
            StringBuilder b = new StringBuilder();
            render(tree, end, b);
            out.add(new Entry(end, b.toString()));
        }
        return new PromptSchedule(out);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Whether the prompt changes during sampling. */
    public boolean isScheduled() {
        return entries.size() > 1;
    }

    /** The index of the entry used at sampler call {@code counter} (0-based), A1111's {@code reconstruct_cond_batch}. */
    public int at(int counter) {
        for (int i = 0; i < entries.size(); i++) {
            if (counter <= entries.get(i).endAtStep()) {
                return i;
            }
        }
        return entries.size() - 1;
    }

    // ---- the tree -------------------------------------------------------------------------------------------------

    private sealed interface Node permits Text, Group, Scheduled, Alternate {}

    /** Literal text (plain text, whitespace, kept brackets and colons). */
    private record Text(String text) implements Node {}

    /** Nodes in order (a prompt, or an emphasis group with its brackets as Text children). */
    private record Group(List<Node> children) implements Node {}

    /** {@code [before:after:when]}; {@code before} null when left out. {@code step} is set by {@link #collect}. */
    private static final class Scheduled implements Node {
        final Group before;
        final Group after;
        final String when;
        int step;

        Scheduled(Group before, Group after, String when) {
            this.before = before;
            this.after = after;
            this.when = when;
        }
    }

    private record Alternate(List<Group> options) implements Node {}

    private static void collect(
            List<Node> nodes, int steps, int intOffset, double fractionOffset, TreeSet<Integer> ends) {
        for (Node n : nodes) {
            if (n instanceof Group g) {
                collect(g.children(), steps, intOffset, fractionOffset, ends);
            } else if (n instanceof Scheduled s) {
                double v = Double.parseDouble(s.when);
                v = s.when.contains(".") ? (v - fractionOffset) * steps : v - intOffset;
                s.step = (int) Math.min(steps, (long) v);
                if (s.step >= 1) {
                    ends.add(s.step);
                }
                if (s.before != null) {
                    collect(s.before.children(), steps, intOffset, fractionOffset, ends);
                }
                collect(s.after.children(), steps, intOffset, fractionOffset, ends);
            } else if (n instanceof Alternate a) {
                for (int i = 1; i <= steps; i++) {
                    ends.add(i);
                }
                for (Group g : a.options()) {
                    collect(g.children(), steps, intOffset, fractionOffset, ends);
                }
            }
        }
    }

    private static void render(List<Node> nodes, int step, StringBuilder out) {
        for (Node n : nodes) {
            if (n instanceof Text t) {
                out.append(t.text());
            } else if (n instanceof Group g) {
                render(g.children(), step, out);
            } else if (n instanceof Scheduled s) {
                Group chosen = step <= s.step ? s.before : s.after;
                if (chosen != null) {
                    render(chosen.children(), step, out);
                }
            } else if (n instanceof Alternate a) {
                render(a.options().get((step - 1) % a.options().size()).children(), step, out);
            }
        }
    }

    // ---- the parser: A1111's grammar, by recursive descent with backtracking --------------------------------------

    /** The text cannot be read by the grammar. */
    private static final class NoParse extends Exception {
        NoParse() {
            super(null, null, false, false);
        }
    }

    /**
     * <pre>
     * start:     (prompt | /[][():]/+)*
     * prompt:    (emphasized | scheduled | alternate | plain | WHITESPACE)*
     * emphasized: "(" prompt ")" | "(" prompt ":" prompt ")" | "[" prompt "]"
     * scheduled: "[" [prompt ":"] prompt ":" [WHITESPACE] NUMBER [WHITESPACE] "]"
     * alternate: "[" prompt ("|" [prompt])+ "]"
     * plain:     /([^\\\[\]():|]|\\.)+/
     * </pre>
     */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        List<Node> start() throws NoParse {
            List<Node> out = new ArrayList<>();
            while (pos < s.length()) {
                out.addAll(prompt().children());
                if (pos < s.length()) {
                    char c = s.charAt(pos);
                    if ("[]():".indexOf(c) < 0) {
                        throw new NoParse(); // a stray '|' or a lone trailing backslash
                    }
                    out.add(new Text(String.valueOf(c)));
                    pos++;
                }
            }
            return out;
        }

        /** Zero or more items; stops before anything that cannot start one. */
        Group prompt() {
            List<Node> out = new ArrayList<>();
            while (pos < s.length()) {
                int mark = pos;
                char c = s.charAt(pos);
                if (c == '(' || c == '[') {
                    Node n = bracket();
                    if (n == null) {
                        pos = mark;
                        break;
                    }
                    out.add(n);
                } else {
                    String plain = plain();
                    if (plain.isEmpty()) {
                        break;
                    }
                    out.add(new Text(plain));
                }
            }
            return new Group(out);
        }

        /** Plain text and whitespace: anything but brackets, ':' and '|', with backslash escapes kept as written. */
        private String plain() {
            int from = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\\' && pos + 1 < s.length()) {
                    pos += 2;
                } else if (c == '\\' || "[]():|".indexOf(c) >= 0) {
                    break;
                } else {
                    pos++;
                }
            }
            return s.substring(from, pos);
        }

        /** A bracketed item at pos, or null (pos undefined) when none of the rules matches. */
        private Node bracket() {
            int mark = pos;
            if (s.charAt(pos) == '(') {
                pos++;
                Group inner = prompt();
                if (eat(')')) {
                    return emphasis("(", inner, null, ")");
                }
                if (eat(':')) {
                    Group weight = prompt();
                    if (eat(')')) {
                        return emphasis("(", inner, weight, ")");
                    }
                }
                return null;
            }
            Node n = scheduled();
            if (n != null) {
                return n;
            }
            pos = mark;
            n = alternate();
            if (n != null) {
                return n;
            }
            pos = mark + 1;
            Group inner = prompt();
            return eat(']') ? emphasis("[", inner, null, "]") : null;
        }

        private Node scheduled() {
            pos++; // '['
            Group first = prompt();
            if (!eat(':')) {
                return null;
            }
            int afterFirstColon = pos;
            // [before:after:when]
            Group second = prompt();
            if (eat(':')) {
                String when = number();
                if (when != null) {
                    return new Scheduled(first, second, when);
                }
            }
            // [after:when]
            pos = afterFirstColon;
            String when = number();
            return when != null ? new Scheduled(null, first, when) : null;
        }

        /** [WHITESPACE] SIGNED_NUMBER [WHITESPACE] "]", or null. */
        private String number() {
            skipSpace();
            int from = pos;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            int digits = digits();
            boolean dot = eat('.');
            int fraction = dot ? digits() : 0;
            if (digits + fraction == 0) {
                return null;
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                int mark = pos;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (digits() == 0) {
                    pos = mark;
                }
            }
            String number = s.substring(from, pos);
            skipSpace();
            return eat(']') ? number : null;
        }

        private Node alternate() {
            pos++; // '['
            List<Group> options = new ArrayList<>();
            options.add(prompt());
            while (eat('|')) {
                options.add(prompt());
            }
            return options.size() > 1 && eat(']') ? new Alternate(options) : null;
        }

        private static Group emphasis(String open, Group inner, Group weight, String close) {
            List<Node> children = new ArrayList<>();
            children.add(new Text(open));
            children.add(inner);
            if (weight != null) {
                children.add(new Text(":"));
                children.add(weight);
            }
            children.add(new Text(close));
            return new Group(children);
        }

        private int digits() {
            int n = 0;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
                n++;
            }
            return n;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private boolean eat(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }
    }
}
