package dev.easel.magics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a cell into Java and magics. A line whose first non-blank character is {@code %} is a magic — Java has no
 * statement that starts with {@code %} — and everything else is Java. A {@code %%name} line makes the rest of the
 * cell its body, so Java before it runs first and nothing after it is Java.
 */
public final class CellParser {

    private CellParser() {}

    public static List<CellPart> parse(String cell) {
        List<CellPart> parts = new ArrayList<>();
        String[] lines = cell.split("\n", -1);
        StringBuilder javaCode = new StringBuilder();
        int javaStart = 0;
        for (int i = 0; i < lines.length; i++) {
            String trimmed = lines[i].strip();
            if (!trimmed.startsWith("%")) {
                if (javaCode.isEmpty()) {
                    javaStart = i;
                }
                javaCode.append(lines[i]).append('\n');
                continue;
            }
            flushJava(parts, javaCode, javaStart);
            boolean cellMagic = trimmed.startsWith("%%");
            String call = trimmed.substring(cellMagic ? 2 : 1);
            int space = indexOfWhitespace(call);
            String name = space < 0 ? call : call.substring(0, space);
            String args = space < 0 ? "" : call.substring(space + 1).strip();
            if (cellMagic) {
                String body = String.join("\n", Arrays.copyOfRange(lines, i + 1, lines.length));
                parts.add(new CellPart.MagicCall(name, args, body, i));
                return parts;
            }
            parts.add(new CellPart.MagicCall(name, args, null, i));
        }
        flushJava(parts, javaCode, javaStart);
        return parts;
    }

    /** True when the cell has no magic at all, i.e. it is plain Java. */
    public static boolean isPlainJava(String cell) {
        return cell.lines().noneMatch(line -> line.strip().startsWith("%"));
    }

    private static void flushJava(List<CellPart> parts, StringBuilder code, int start) {
        if (!code.toString().isBlank()) {
            parts.add(new CellPart.Java(code.toString(), start));
        }
        code.setLength(0);
    }

    private static int indexOfWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
