package dev.easel.kernel.interpreter;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.VarSnippet;

/**
 * The temporary variables JShell makes of expression values ({@code $1}, {@code $2}, …): only the newest cell's is
 * kept, together with any that a snippet's source names.
 *
 * <p>Why: JShell compiles every snippet with one static import per live variable, so each expression cell made every
 * later cell slower — raw JShell {@code eval("1+1")} measured 12 ms p50 over the first 200 evaluations and 38 ms
 * by the 1,200th (2 cores) — and each value stayed reachable for the rest of the session, an image or a tensor
 * included. Jupyter shows results without these names, so the only one a user can know is the newest, which stays
 * usable as in {@code jshell}.
 *
 * <p>References are found in the source text, not through {@link jdk.jshell.SourceCodeAnalysis#dependents}: that
 * leaves out variable initializers, and JShell recompiles a variable's initializer when a later import re-declares it
 * — with its temporary gone, the variable would be lost.
 */
final class ExpressionTemporaries {

    private static final Pattern TEMPORARY_NAME = Pattern.compile("\\$\\d+");

    private final JShell jshell;
    /** Temporaries some snippet's source names (a name in a string or a comment counts too: it only keeps one). */
    private final Set<String> referenced = new HashSet<>();

    private VarSnippet newest;

    ExpressionTemporaries(JShell jshell) {
        this.jshell = jshell;
    }

    /** {@code source} is about to be evaluated: the temporaries it names are kept from now on. */
    void evaluating(String source) {
        if (source.indexOf('$') < 0) {
            return;
        }
        Matcher names = TEMPORARY_NAME.matcher(source);
        while (names.find()) {
            referenced.add(names.group());
        }
    }

    /**
     * {@code temporary} was just defined and its value read. A cell's becomes the newest, and the one before it is
     * dropped; a quiet evaluation's (a magic's, a frontend's user expression) is dropped at once, so that it never
     * takes the place of the cell's. Either stays while a snippet names it.
     *
     * @return the dropped temporary, whose value the caller releases
     */
    Optional<VarSnippet> defined(VarSnippet temporary, boolean quiet) {
        VarSnippet unwanted = temporary;
        if (!quiet) {
            unwanted = newest;
            newest = temporary;
        }
        if (unwanted == null || !jshell.status(unwanted).isActive() || referenced.contains(unwanted.name())) {
            return Optional.empty();
        }
        jshell.drop(unwanted);
        return Optional.of(unwanted);
    }

    /** Drops {@code snippet} if it is a temporary no snippet names (its expression threw: it holds nothing). */
    void discard(Snippet snippet) {
        if (isTemporary(snippet)
                && snippet != newest
                && jshell.status(snippet).isActive()
                && !referenced.contains(((VarSnippet) snippet).name())) {
            jshell.drop(snippet);
        }
    }

    /** For javac's "cannot find symbol" on {@code name}: why a {@code $3} may be gone. */
    static Optional<String> note(String name) {
        return TEMPORARY_NAME.matcher(name).matches()
                ? Optional.of(
                        "note: only the newest expression value is kept as $N; assign a value to a variable to keep it")
                : Optional.empty();
    }

    /** Whether {@code snippet} is one of JShell's temporaries for an expression's value. */
    static boolean isTemporary(Snippet snippet) {
        return snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }
}
