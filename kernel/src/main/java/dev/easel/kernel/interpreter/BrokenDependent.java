package dev.easel.kernel.interpreter;

import java.util.Optional;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.JShell;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.VarSnippet;

/**
 * The warning for a declaration that a cell made unusable as a side effect, as the {@code jshell} tool prints one, and
 * the note that explains a later "cannot find symbol" on it.
 *
 * <p>JShell compiles the declarations that depend on a new snippet again; an import can break them — with
 * {@code java.util.*} among the default imports, {@code import java.awt.*} makes {@code List} ambiguous, and a
 * {@code var list = List.of(…)} can no longer be used. Without a word the next cell's "cannot find symbol" is a
 * mystery. The value is not lost: it comes back when the declaration compiles again (here after
 * {@code import java.util.List;}).
 */
final class BrokenDependent {

    private BrokenDependent() {}

    /** The one-line warning for {@code event} (caused by another snippet), if it made a declaration unusable. */
    static Optional<String> warning(SnippetEvent event, JShell jshell) {
        Snippet snippet = event.snippet();
        if (event.previousStatus() != Snippet.Status.VALID || !isUnusable(event.status())) {
            return Optional.empty();
        }
        return describe(snippet)
                .map(name -> "warning: this cell made " + name + " unusable: " + reason(snippet, jshell)
                        + (snippet instanceof VarSnippet ? " (its value is kept for when it compiles again)" : ""));
    }

    /**
     * For javac's "cannot find symbol" on {@code name}: a note when a declaration of that name exists but is unusable,
     * which the bare error would hide.
     */
    static Optional<String> note(String name, JShell jshell) {
        return jshell.snippets()
                .filter(snippet -> snippet instanceof DeclarationSnippet declaration
                        && declaration.name().equals(name))
                .filter(snippet -> isUnusable(jshell.status(snippet)))
                .findFirst()
                .flatMap(snippet -> describe(snippet)
                        .map(what -> "note: " + what + " is declared but unusable: " + reason(snippet, jshell)));
    }

    private static boolean isUnusable(Snippet.Status status) {
        return status == Snippet.Status.RECOVERABLE_DEFINED || status == Snippet.Status.RECOVERABLE_NOT_DEFINED;
    }

    private static Optional<String> describe(Snippet snippet) {
        return Optional.ofNullable(
                snippet instanceof VarSnippet variable
                        ? "variable " + variable.name()
                        : snippet instanceof MethodSnippet method
                                ? "method " + method.name() + "()"
                                : snippet instanceof TypeDeclSnippet type ? "type " + type.name() : null);
    }

    private static String reason(Snippet snippet, JShell jshell) {
        return jshell.diagnostics(snippet)
                .filter(Diag::isError)
                .map(diag -> String.join(
                        ": ",
                        ErrorFormatter.message(diag).lines().map(String::strip).toList()))
                .findFirst()
                .orElseGet(() -> {
                    String missing = snippet instanceof DeclarationSnippet declaration
                            ? jshell.unresolvedDependencies(declaration).collect(Collectors.joining(", "))
                            : "";
                    return missing.isEmpty() ? "it no longer compiles" : "it needs " + missing;
                });
    }
}
