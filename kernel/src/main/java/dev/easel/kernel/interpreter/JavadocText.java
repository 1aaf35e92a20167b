package dev.easel.kernel.interpreter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A doc comment as JShell returns it (Javadoc source: inline tags, HTML, block tags) → text for the pager and the
 * tooltip: {@code {@code x}} becomes x, {@code {@link Txt2Img#run()}} becomes Txt2Img.run(), paragraphs and list items
 * become blank lines and dashes, and the block tags become sections, as javadoc lays them out.
 */
final class JavadocText {

    private static final Pattern INLINE_TAG = Pattern.compile("\\{@(\\w+)\\s*([^{}]*(?:\\{[^{}]*}[^{}]*)*)}");
    /** A link's reference (a member's parameter list may hold spaces) and its optional label. */
    private static final Pattern LINK = Pattern.compile("(\\S*\\([^)]*\\)|\\S*)\\s*(.*)", Pattern.DOTALL);

    private static final Pattern BLOCK_TAG = Pattern.compile("^@(\\w+)\\s*(.*)$", Pattern.DOTALL);
    private static final Map<String, String> SECTIONS = Map.of(
            "param",
            "Parameters:",
            "return",
            "Returns:",
            "throws",
            "Throws:",
            "exception",
            "Throws:",
            "see",
            "See also:",
            "since",
            "Since:",
            "deprecated",
            "Deprecated:");

    private JavadocText() {}

    static String plain(String javadoc) {
        List<String> lines = javadoc.strip()
                .lines()
                .map(line -> line.startsWith(" ") ? line.substring(1) : line) // the space after each " * "
                .toList();
        StringBuilder body = new StringBuilder();
        List<String> tags = new ArrayList<>();
        for (String line : lines) {
            if (line.stripLeading().startsWith("@")) { // a block tag; the lines after it continue it
                tags.add(line.stripLeading());
            } else if (!tags.isEmpty()) {
                tags.set(tags.size() - 1, tags.get(tags.size() - 1) + "\n" + line);
            } else {
                body.append(line).append('\n');
            }
        }
        StringBuilder out = new StringBuilder(html(inline(body.toString())).strip());
        Map<String, List<String>> sections = new LinkedHashMap<>();
        for (String tag : tags) {
            Matcher m = BLOCK_TAG.matcher(tag);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            String text = html(inline(m.group(2))).strip().replaceAll("\\s*\n\\s*", " ");
            if (name.equals("param") || name.equals("throws") || name.equals("exception")) {
                text = text.replaceFirst("^(\\S+)\\s*", "$1 – ").replaceFirst(" – $", "");
            } else if (name.equals("see") && !text.startsWith("\"")) { // a reference, as {@link} shows it
                text = text.replaceFirst("^#", "").replaceFirst("^(\\S*)#", "$1.");
            }
            sections.computeIfAbsent(SECTIONS.getOrDefault(name, capitalised(name) + ":"), k -> new ArrayList<>())
                    .add(text);
        }
        sections.forEach((title, entries) -> {
            out.append("\n\n").append(title);
            entries.forEach(entry -> out.append("\n  ").append(entry));
        });
        return out.toString().strip();
    }

    /** {@code {@code x}}, {@code {@literal x}} → x; {@code {@link A#b(int) label}} → label, else A.b(int). */
    private static String inline(String text) {
        Matcher m = INLINE_TAG.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String tag = m.group(1);
            String content = m.group(2).strip();
            String shown = switch (tag) {
                case "link", "linkplain" -> {
                    Matcher link = LINK.matcher(content);
                    link.matches();
                    yield !link.group(2).isEmpty()
                            ? link.group(2)
                            : link.group(1).replaceFirst("^#", "").replace('#', '.');
                }
                case "inheritDoc" -> "";
                // code, literal, value: kept as entities until html() has dropped the real tags (List<String>)
                default -> content.replace("<", "&lt;").replace(">", "&gt;");
            };
            m.appendReplacement(out, Matcher.quoteReplacement(shown));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The HTML Javadoc uses: paragraphs, list items and line breaks as text; other tags dropped; entities decoded. */
    private static String html(String text) {
        return text.replaceAll("(?i)</?(ul|ol)>", "")
                .replaceAll("(?i)\\s*<p>\\s*", "\n\n")
                .replaceAll("(?i)\\s*<li>\\s*", "\n  - ")
                .replaceAll("(?i)<br\\s*/?>", "\n")
                .replaceAll("</?[a-zA-Z][a-zA-Z0-9]*(\\s[^>]*)?/?>", "") // any other tag: <code>, <cite>, <a href=…>
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#64;", "@")
                .replace("&nbsp;", " ")
                .replace("&amp;", "&")
                .replaceAll("\n{3,}", "\n\n");
    }

    private static String capitalised(String word) {
        return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
