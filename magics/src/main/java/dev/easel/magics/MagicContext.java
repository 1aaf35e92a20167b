package dev.easel.magics;

import dev.easel.engine.io.UserPath;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import javax.lang.model.SourceVersion;

/**
 * What a magic may ask of the kernel it runs in. The kernel implements it; magics never see ZeroMQ or JShell types.
 *
 * <p>Output: a magic prints with {@code System.out}/{@code System.err} (captured for the running cell) and shows rich
 * output through {@link dev.easel.display.Display}. Interrupt: the kernel interrupts the thread running the cell, so
 * long work checks {@code Thread.currentThread().isInterrupted()} between steps and stops with
 * {@link java.util.concurrent.CancellationException}.
 */
public interface MagicContext {

    /**
     * Runs Java exactly as if it stood in the cell at this point: its output, the value of its last expression and
     * its errors are shown as for any Java in a cell.
     *
     * @return false when it failed (the error has already been shown)
     */
    boolean runJava(String code);

    /**
     * Runs Java as {@link #runJava} does, but hands over the showing of its last expression's value instead of
     * showing it: {@code heldValue} gets an action that shows it, called only when there is a value to show.
     * {@code %time} shows it after its timing, as IPython does. A context that cannot hold a value shows it at once.
     *
     * @return false when it failed (the error has already been shown)
     */
    default boolean runJavaHoldingValue(String code, Consumer<Runnable> heldValue) {
        return runJava(code);
    }

    /**
     * Called by {@link Magics#runCell} before each part of a cell (Java or a magic call) runs: a kernel notes the
     * part's line, so errors name lines of the cell, and says whether the cell goes on — false once one of its parts
     * has shown an error or an interrupt was handled, so nothing after it runs.
     */
    default boolean beforePart(CellPart part) {
        return true;
    }

    /**
     * Evaluates Java quietly in the cells' scope (nothing is shown).
     *
     * @return JShell's text of the last expression's value, or "" when the code has no value
     * @throws MagicException with a one-line message when the code does not compile or throws
     */
    String evalJava(String code);

    /** Makes the classes in a jar or folder visible to cells from now on. */
    void addToClasspath(Path jarOrFolder);

    /** The folder of the notebook (the kernel's working directory), where outputs go by default. */
    Path workingDirectory();

    /** A path typed in a magic: {@code ~/…} in the user's home, a relative one from {@link #workingDirectory()}. */
    default Path path(String typed) {
        return UserPath.resolve(workingDirectory(), typed);
    }

    /** Declares (or redeclares) the cell variable {@code name} of type {@code type}, holding {@code value}. */
    default void bind(String name, Class<?> type, Object value) {
        if (!SourceVersion.isName(name)) {
            throw new MagicException("'" + name + "' is not a Java variable name: use letters, digits and _, "
                    + "not starting with a digit, and not a keyword");
        }
        String key = UUID.randomUUID().toString();
        Bindings.put(key, value);
        String typeName = type.getCanonicalName();
        evalBinding(typeName + " " + name + " = (" + typeName + ") dev.easel.magics.Bindings.take(\"" + key + "\");");
    }

    /**
     * Evaluates the declaration {@link #bind} makes. A kernel runs it to its end even while the cell is being
     * interrupted: a magic that stopped on the interrupt (a training at its step boundary) still hands over what it
     * made.
     */
    default void evalBinding(String declaration) {
        evalJava(declaration);
    }

    /** The value of the cell variable {@code name}, or empty when there is no such variable. */
    default Optional<Object> variable(String name) {
        if (!SourceVersion.isName(name)) {
            return Optional.empty();
        }
        String key = UUID.randomUUID().toString();
        try {
            evalJava("dev.easel.magics.Bindings.put(\"" + key + "\", " + name + ");");
        } catch (MagicException notDefined) {
            return Optional.empty();
        }
        return Optional.ofNullable(Bindings.take(key));
    }
}
