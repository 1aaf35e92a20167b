package dev.easel.kernel.interpreter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Documentation;

/**
 * The Javadoc of a method a class inherits, where JShell finds none.
 *
 * <p>JDK 25's JShell finds no Javadoc (and no parameter names) for a method reached through a subclass: on
 * {@code sd.txt2img("a cat").cfg(} it shows only {@code SELF GenerationRequest<…>.cfg(double)} — most of the notebook
 * API is such a builder — and likewise for {@code new Sub().k(} with {@code k} declared in {@code Plain}. Asked with
 * the declaring class as the receiver ({@code ((GenerationRequest) null).cfg(}) it finds them. JDK 17's JShell needs
 * none of this: what it finds is kept.
 */
final class InheritedJavadoc {

    private InheritedJavadoc() {}

    /**
     * {@code docs} (JShell's for calls of {@code member}), each one without Javadoc replaced by its declaring class's
     * version when that has it. JShell is asked once per declaring class, not once per overload: each asking compiles.
     */
    static List<Documentation> fill(List<Documentation> docs, String member, SourceCodeAnalysis analysis) {
        Map<String, List<Documentation>> declaredDocs = new HashMap<>();
        List<Documentation> filled = new ArrayList<>(docs.size());
        for (Documentation doc : docs) {
            Optional<Documentation> declared = hasJavadoc(doc)
                    ? Optional.empty()
                    : declaringClass(doc.signature(), member)
                            .flatMap(type -> matching(
                                    doc, declaredDocs.computeIfAbsent(type, t -> documentation(t, member, analysis))));
            filled.add(declared.orElse(doc));
        }
        return filled;
    }

    /** JShell's documentation of {@code member} called on {@code declaringClass} itself. */
    private static List<Documentation> documentation(
            String declaringClass, String member, SourceCodeAnalysis analysis) {
        String call = "((" + declaringClass + ") null)." + member + "(";
        return analysis.documentation(call, call.length(), true);
    }

    /** The overload of {@code doc} among {@code candidates} that has Javadoc. */
    private static Optional<Documentation> matching(Documentation doc, List<Documentation> candidates) {
        String wanted = withoutParameterNames(doc.signature());
        return candidates.stream()
                .filter(InheritedJavadoc::hasJavadoc)
                .filter(candidate ->
                        withoutParameterNames(candidate.signature()).equals(wanted))
                .findFirst();
    }

    private static boolean hasJavadoc(Documentation doc) {
        return doc.javadoc() != null && !doc.javadoc().isBlank();
    }

    /**
     * The class that declares {@code member} in a JShell signature, its type parameters left out:
     * {@code SELF dev.easel.GenerationRequest<SELF extends dev.easel.GenerationRequest<SELF>>.cfg(double)} →
     * {@code dev.easel.GenerationRequest}.
     */
    static Optional<String> declaringClass(String signature, String member) {
        int at = signature.indexOf("." + member + "(");
        if (at < 0) {
            return Optional.empty();
        }
        int end = at;
        if (end > 0 && signature.charAt(end - 1) == '>') { // skip the class's type parameters, nested ones too
            int depth = 0;
            do {
                char c = signature.charAt(--end);
                depth += c == '>' ? 1 : c == '<' ? -1 : 0;
            } while (depth > 0 && end > 0);
        }
        int begin = end;
        while (begin > 0
                && (Character.isJavaIdentifierPart(signature.charAt(begin - 1))
                        || signature.charAt(begin - 1) == '.')) {
            begin--;
        }
        return begin == end ? Optional.empty() : Optional.of(signature.substring(begin, end));
    }

    /** {@code f(int x, Map<String, Integer> m)} → {@code f(int, Map<String, Integer>)}; names absent stay absent. */
    static String withoutParameterNames(String signature) {
        int open = signature.lastIndexOf('(');
        int close = signature.lastIndexOf(')');
        if (open < 0 || close < open) {
            return signature;
        }
        List<String> types = new ArrayList<>();
        int depth = 0;
        int start = open + 1;
        for (int i = open + 1; i <= close; i++) {
            char c = signature.charAt(i);
            depth += c == '<' ? 1 : c == '>' ? -1 : 0;
            if ((c == ',' && depth == 0) || i == close) {
                String parameter = signature.substring(start, i).strip();
                int space = parameter.lastIndexOf(' ');
                boolean named =
                        space > 0 && parameter.substring(space + 1).chars().allMatch(Character::isJavaIdentifierPart);
                if (!parameter.isEmpty()) {
                    types.add(named ? parameter.substring(0, space).strip() : parameter);
                }
                start = i + 1;
            }
        }
        return signature.substring(0, open + 1) + String.join(", ", types) + signature.substring(close);
    }
}
