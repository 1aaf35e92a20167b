package dev.easel.kernel.interpreter;

import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import java.nio.file.Path;
import java.util.function.Consumer;

/** What magics may ask of the kernel, answered by the running {@link JShellInterpreter}. */
final class KernelMagicContext implements MagicContext {

    private final JShellInterpreter interpreter;

    KernelMagicContext(JShellInterpreter interpreter) {
        this.interpreter = interpreter;
    }

    @Override
    public boolean runJava(String code) {
        return interpreter.runJava(code, Runnable::run);
    }

    @Override
    public boolean runJavaHoldingValue(String code, Consumer<Runnable> heldValue) {
        return interpreter.runJava(code, heldValue);
    }

    @Override
    public boolean beforePart(CellPart part) {
        return interpreter.beforePart(part);
    }

    @Override
    public String evalJava(String code) {
        return interpreter.evalQuietly(code);
    }

    @Override
    public void evalBinding(String declaration) {
        interpreter.evalBinding(declaration);
    }

    @Override
    public void addToClasspath(Path jarOrFolder) {
        interpreter.addToClasspath(jarOrFolder);
    }

    @Override
    public Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }
}
