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
 * The warning for a declaration that a cell made unusable as a side effect, as the {@code jshell} tool prints one.
 *
 * <p>JShell compiles the declarations that depend on a new snippet again; an import can break them — with
 * {@code java.util.*} among the default imports, {@code import java.awt.*} makes {@code List} ambiguous, and a
 * {@code var list = List.of(…)} can no longer be used. Without a word the next cell's "cannot find symbol" is a
 * mystery. The value is not lost: it comes back when the declaration compiles again (here after
 * {@code import java.util.List;}).
 */
final class BrokenDependent {

    private BrokenDependent() {
    }

    /** The one-line warning for {@code event} (caused by another snippet), if it made a declaration unusable. */
    static Optional<String> warning(SnippetEvent event, JShell jshell) {
        Snippet snippet = event.snippet();
        boolean wasUsable = event.previousStatus() == Snippet.Status.VALID;
        boolean broken = event.status() == Snippet.Status.RECOVERABLE_DEFINED
                || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED;
        if (!wasUsable || !broken) {
            return Optional.empty();
        }
        String name = snippet instanceof VarSnippet variable ? "variable " + variable.name()
                : snippet instanceof MethodSnippet method ? "method " + method.name() + "()"
                : snippet instanceof TypeDeclSnippet type ? "type " + type.name() : null;
        if (name == null) {
            return Optional.empty();
        }
        String reason = jshell.diagnostics(snippet).filter(Diag::isError)
                .map(diag -> String.join(": ", ErrorFormatter.message(diag).lines().map(String::strip).toList()))
                .findFirst()
                .orElseGet(() -> {
                    String missing = snippet instanceof DeclarationSnippet declaration
                            ? jshell.unresolvedDependencies(declaration).collect(Collectors.joining(", ")) : "";
                    return missing.isEmpty() ? "it no longer compiles" : "it needs " + missing;
                });
        String comeBack = snippet instanceof VarSnippet ? " (its value is kept for when it compiles again)" : "";
        return Optional.of("warning: this cell made " + name + " unusable: " + reason + comeBack);
    }
}
