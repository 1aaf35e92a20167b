package dev.easel.kernel.interpreter;

import dev.easel.kernel.base.Log;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.VarSnippet;

/**
 * Where each cell variable's value lives: a static field of the class JShell loaded for its snippet. Reads a value as
 * the object itself (JShell reports only its text), carries it over when JShell re-declares the variable in a new
 * class, and lets it go when the variable is overwritten or dropped.
 *
 * <p>Letting go matters because JShell never unloads a snippet class: a variable declared again by an edited cell
 * kept its old value reachable for the rest of the session (measured: re-running {@code var big = new
 * byte[100_000_000 + i];} with a new {@code i} grew the heap by 100 MB a run). Code compiled before the re-declaration
 * that still runs (a thread started by an earlier cell) reads the old field, and finds null there instead of the
 * replaced value.
 */
final class SnippetValues {

    private final JShell jshell;
    private final KernelExecutionControl control;
    /** Each variable's snippet → the class holding its value. A snippet JShell re-declares stays the same object. */
    private final Map<VarSnippet, String> classes = new ConcurrentHashMap<>();

    SnippetValues(JShell jshell, KernelExecutionControl control) {
        this.jshell = jshell;
        this.control = control;
    }

    /** {@code variable} was defined by running the snippet class {@code className}. */
    void defined(VarSnippet variable, String className) {
        classes.put(variable, className);
    }

    /**
     * JShell re-declared {@code variable} because of another snippet (often just an import): it loaded a new class for
     * it whose field starts over at null or 0 — a model loaded by a magic would be lost. The old class still holds the
     * value, so it moves to the new one when its type still fits.
     */
    void redeclared(VarSnippet variable) {
        String oldClass = classes.get(variable);
        if (oldClass == null) {
            return;
        }
        String newClass = control.newestClassOf(oldClass);
        if (newClass.equals(oldClass)) {
            return;
        }
        try {
            Object value = control.fieldValue(oldClass, variable.name());
            if (control.setFieldValue(newClass, variable.name(), value)) {
                classes.put(variable, newClass);
                clear(oldClass, variable.name());
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Log.debug("could not keep the value of " + variable.name() + ": " + e);
        }
    }

    /** {@code variable} was overwritten by a new declaration or dropped: its value is let go. */
    void released(VarSnippet variable) {
        String className = classes.remove(variable);
        if (className != null && !classes.containsValue(className)) {
            clear(className, variable.name());
        }
    }

    /**
     * The object behind the value of {@code snippet} (an expression's temporary, or a variable named alone), empty when
     * it cannot be read.
     */
    Optional<Object> valueOf(Snippet snippet) {
        VarSnippet variable = snippet instanceof VarSnippet declared
                ? declared
                : snippet instanceof ExpressionSnippet expression && expression.name() != null
                        ? activeVariable(expression.name())
                        : null;
        String className = variable == null ? null : classes.get(variable);
        if (className == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(control.fieldValue(className, variable.name()));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Log.debug("could not read " + variable.name() + " from " + className + ": " + e);
            return Optional.empty();
        }
    }

    private VarSnippet activeVariable(String name) {
        for (VarSnippet variable : classes.keySet()) {
            if (variable.name().equals(name) && jshell.status(variable).isActive()) {
                return variable;
            }
        }
        return null;
    }

    /** Clears a reference field so its value can be collected; a primitive holds nothing worth it. */
    private void clear(String className, String name) {
        try {
            control.setFieldValue(className, name, null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Log.debug("could not release " + name + " of " + className + ": " + e);
        }
    }
}
