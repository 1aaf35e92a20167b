package dev.easel.kernel.interpreter;

import dev.easel.magics.CellParser;
import dev.easel.magics.Magics;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;

/**
 * What a frontend asks about a cell's text without running it — completion, inspection, completeness — answered
 * through JShell's source analysis and the magics; running cells is {@link JShellInterpreter}'s.
 */
final class CellAnalysis {

    private static final int MAX_VALUE_CHARS = 1_000;

    private final JShell jshell;
    private final SourceCodeAnalysis analysis;
    private final Magics magics;
    private final ClassLoader cellLoader;
    private boolean javadocSourcesInstalled;

    CellAnalysis(JShell jshell, Magics magics, ClassLoader cellLoader) {
        this.jshell = jshell;
        this.analysis = jshell.sourceCodeAnalysis();
        this.magics = magics;
        this.cellLoader = cellLoader;
    }

    /** Completions at {@code cursor}: Java through JShell (in the snippet that holds it), or a magic's line. */
    Interpreter.Completion complete(String code, int cursor) {
        cursor = Math.max(0, Math.min(cursor, code.length()));
        int lineStart = code.lastIndexOf('\n', cursor - 1) + 1;
        String line = code.substring(lineStart, indexOrEnd(code, '\n', lineStart));
        if (line.stripLeading().startsWith("%")) {
            List<String> matches = magics.complete(line, cursor - lineStart);
            int wordStart = cursor;
            while (wordStart > lineStart && !Character.isWhitespace(code.charAt(wordStart - 1))) {
                wordStart--;
            }
            return new Interpreter.Completion(matches, wordStart, cursor, List.of());
        }
        Piece piece = pieceAt(code, cursor);
        int[] anchor = new int[1];
        Set<String> matches = new LinkedHashSet<>();
        List<SourceCodeAnalysis.Suggestion> suggestions =
                analysis.completionSuggestions(piece.text, cursor - piece.start, anchor);
        boolean anyMatchingType = suggestions.stream().anyMatch(SourceCodeAnalysis.Suggestion::matchesType);
        for (SourceCodeAnalysis.Suggestion suggestion : suggestions) {
            if (!anyMatchingType || suggestion.matchesType()) {
                matches.add(suggestion.continuation());
            }
        }
        int start = piece.start + anchor[0];
        List<Map<String, Object>> types = new ArrayList<>();
        for (String match : matches) {
            types.add(Map.of("start", start, "end", cursor, "text", match, "type", kindOf(match)));
        }
        return new Interpreter.Completion(new ArrayList<>(matches), start, cursor, types);
    }

    private static String kindOf(String match) {
        if (match.endsWith("(") || match.endsWith("()")) {
            return "function";
        }
        if (!match.isEmpty() && Character.isUpperCase(match.charAt(0))) {
            return "class";
        }
        return "variable";
    }

    /** Documentation of the name at {@code cursor} (or the call it is inside), or a magic's help on its line. */
    Optional<String> inspect(String code, int cursor, int detailLevel) {
        cursor = Math.max(0, Math.min(cursor, code.length()));
        int lineStart = code.lastIndexOf('\n', cursor - 1) + 1;
        String line =
                code.substring(lineStart, indexOrEnd(code, '\n', lineStart)).strip();
        if (line.startsWith("%")) { // anywhere on a magic's line: its help, options and examples
            String name = line.replaceFirst("^%%?", "").split("[\\s?]", 2)[0];
            return magics.find(name).map(magic -> magic.help().strip());
        }
        if (!javadocSourcesInstalled) { // on first use: opening easel.jar's zip index costs memory an idle kernel keeps
            javadocSourcesInstalled = true;
            JavadocSources.install(cellLoader);
        }
        Piece piece = pieceAt(code, cursor);
        String text = piece.text;
        Optional<InspectedName> name = InspectedName.find(text, cursor - piece.start);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        int end = name.get().end();
        String upToName = text.substring(0, end);
        String expression = text.substring(name.get().begin(), end);
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(upToName + "(", end + 1, true);
        if (docs.isEmpty()) {
            docs = analysis.documentation(upToName, end, true);
        }
        docs = InheritedJavadoc.fill(docs, expression.substring(expression.lastIndexOf('.') + 1), analysis);
        StringBuilder out = new StringBuilder();
        for (SourceCodeAnalysis.Documentation doc : docs) {
            out.append(doc.signature()).append('\n');
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) {
                out.append('\n').append(JavadocText.plain(doc.javadoc())).append("\n\n");
            }
        }
        if (out.length() == 0) {
            String type = analysis.analyzeType(upToName, end);
            if (type != null && !type.isBlank()) {
                out.append(expression).append(" : ").append(type).append('\n');
            }
        }
        // A variable's value too, as IPython's "String form": JShell's documentation of a variable is only its type.
        jshell.variables()
                .filter(v -> v.name().equals(expression) && jshell.status(v).isActive())
                .findFirst()
                .ifPresent(v -> out.append("value: ")
                        .append(shortened(jshell.varValue(v)))
                        .append('\n'));
        if (detailLevel > 0 && out.length() > 0) {
            out.append(moreDetail(expression, analysis.analyzeType(upToName, end), docs));
        }
        return out.length() == 0 ? Optional.empty() : Optional.of(out.toString().strip());
    }

    /**
     * What {@code name??} adds to {@code name?}, as IPython's {@code ??} adds the source: the source of what a cell
     * declared under that name, where the class of the name (or of its value) comes from, and its public members.
     */
    private String moreDetail(String expression, String valueType, List<SourceCodeAnalysis.Documentation> docs) {
        StringBuilder out = new StringBuilder();
        String simpleName = expression.substring(expression.lastIndexOf('.') + 1);
        Stream.of(jshell.types(), jshell.methods(), jshell.variables())
                .flatMap(s -> s)
                .filter(snippet -> snippet.name().equals(simpleName)
                        && jshell.status(snippet).isActive())
                .forEach(snippet -> out.append("\ndeclared in a cell:\n")
                        .append(snippet.source().strip())
                        .append('\n'));
        List<String> candidates = new ArrayList<>();
        if (valueType != null && !valueType.isBlank()) {
            candidates.add(valueType);
        }
        docs.stream()
                .map(SourceCodeAnalysis.Documentation::signature)
                .filter(signature -> !signature.contains("(") && !signature.contains(" "))
                .forEach(candidates::add);
        for (String candidate : candidates) {
            Optional<Class<?>> type = loadClass(candidate.replaceAll("<.*", ""));
            if (type.isPresent()) {
                out.append('\n').append(ClassDetail.describe(type.get()));
                break;
            }
        }
        return out.toString();
    }

    /** The class named {@code name} as cells see it; a nested class may be written with a dot. */
    private Optional<Class<?>> loadClass(String name) {
        String binary = name;
        while (true) {
            try {
                return Optional.of(Class.forName(binary, false, cellLoader));
            } catch (ClassNotFoundException | LinkageError e) {
                int dot = binary.lastIndexOf('.');
                if (dot < 0) {
                    return Optional.empty();
                }
                binary = binary.substring(0, dot) + "$" + binary.substring(dot + 1);
            }
        }
    }

    /** A value's text cut to what a tooltip can show. */
    private static String shortened(String value) {
        return value.length() <= MAX_VALUE_CHARS ? value : value.substring(0, MAX_VALUE_CHARS) + " …";
    }

    /** complete, incomplete (with the indent to continue with) or invalid — JShell's UNKNOWN is invalid. */
    Interpreter.Completeness isComplete(String code) {
        if (!CellParser.isPlainJava(code)) {
            return new Interpreter.Completeness("complete", null);
        }
        String remaining = code;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case COMPLETE, COMPLETE_WITH_SEMI -> {
                    if (info.remaining().length() >= remaining.length()) {
                        return new Interpreter.Completeness("complete", null);
                    }
                    remaining = info.remaining();
                }
                case EMPTY -> {
                    return new Interpreter.Completeness("complete", null);
                }
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> {
                    return new Interpreter.Completeness("incomplete", indentFor(code));
                }
                default -> {
                    return new Interpreter.Completeness("invalid", null);
                }
            }
        }
        return new Interpreter.Completeness("complete", null);
    }

    private static String indentFor(String code) {
        int depth = 0;
        for (char c : code.toCharArray()) {
            if (c == '{' || c == '(') {
                depth++;
            } else if (c == '}' || c == ')') {
                depth--;
            }
        }
        return "    ".repeat(Math.max(0, depth));
    }

    private record Piece(String text, int start) {}

    /**
     * The snippet of a multi-snippet cell that holds {@code cursor}, so analysis sees one snippet — preceded by what
     * the cell's earlier snippets declare (variables, classes, statements) inside a block, so that
     * {@code String s = "abc";\ns.len} completes {@code length()} although {@code s} is not defined yet. The piece's
     * {@code start} may then be negative: positions in its text minus {@code start} are positions in the cell.
     */
    private Piece pieceAt(String code, int cursor) {
        StringBuilder earlier = new StringBuilder();
        String remaining = code;
        int start = 0;
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (!info.completeness().isComplete() || info.remaining().isBlank()) {
                return withEarlier(earlier, new Piece(remaining, start));
            }
            int end = start + remaining.length() - info.remaining().length();
            if (cursor <= end) {
                return withEarlier(earlier, new Piece(code.substring(start, end), start));
            }
            String source = info.source();
            if (declaresForLaterLines(source)) {
                earlier.append(source).append('\n');
            }
            start = end;
            remaining = info.remaining();
        }
    }

    private static Piece withEarlier(StringBuilder earlier, Piece piece) {
        if (earlier.length() == 0) {
            return piece;
        }
        String prefix = "{\n" + earlier;
        return new Piece(prefix + piece.text, piece.start - prefix.length());
    }

    /**
     * Whether a snippet can stand in a block ahead of the cursor's snippet and tells analysis something: variables,
     * classes and statements; not methods or imports (not allowed in a block) nor bare expressions.
     */
    private boolean declaresForLaterLines(String source) {
        List<Snippet> snippets = analysis.sourceToSnippets(source);
        return !snippets.isEmpty()
                && snippets.stream()
                        .allMatch(snippet -> snippet.kind() == Snippet.Kind.VAR
                                || snippet.kind() == Snippet.Kind.TYPE_DECL
                                || snippet.kind() == Snippet.Kind.STATEMENT);
    }

    private static int indexOrEnd(String text, char c, int from) {
        int index = text.indexOf(c, from);
        return index < 0 ? text.length() : index;
    }
}
