package dev.easel.kernel.interpreter;

import java.util.Map;
import java.util.stream.Stream;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's in-process execution, with three additions: snippet classes load under the kernel's class loader
 * ({@link SnippetLoaderDelegate}), their {@code System.exit} calls are redirected ({@link ExitCallRewriter}), and the
 * class of the last invoked snippet is remembered so the kernel can read a value's real object, not just its text.
 *
 * <p>It extends {@link LocalExecutionControl} (not {@code DirectExecutionControl}) on purpose: that is what makes
 * {@code JShell.stop()} stop running code — {@code Thread.stop} on JDK 17, stop checks woven into snippet code on
 * JDK 20+.
 */
final class KernelExecutionControl extends LocalExecutionControl {

    private final SnippetLoaderDelegate delegate;
    private volatile String lastInvokedClass;

    private KernelExecutionControl(SnippetLoaderDelegate delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    ClassLoader loader() {
        return delegate.loader();
    }

    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException, NotImplementedException,
            EngineTerminationException {
        super.load(rewrite(cbcs));
    }

    @Override
    public void redefine(ClassBytecodes[] cbcs) throws ClassInstallException, NotImplementedException,
            EngineTerminationException {
        super.redefine(rewrite(cbcs));
    }

    private static ClassBytecodes[] rewrite(ClassBytecodes[] cbcs) {
        return Stream.of(cbcs)
                .map(cbc -> new ClassBytecodes(cbc.name(), ExitCallRewriter.rewrite(cbc.bytecodes())))
                .toArray(ClassBytecodes[]::new);
    }

    @Override
    public String invoke(String className, String methodName) throws RunException, InternalException,
            EngineTerminationException {
        lastInvokedClass = className;
        return super.invoke(className, methodName);
    }

    String lastInvokedClass() {
        return lastInvokedClass;
    }

    /** The current value of the static field {@code name} of the snippet class {@code className}. */
    Object fieldValue(String className, String name) throws ReflectiveOperationException {
        java.lang.reflect.Field field = findClass(className).getDeclaredField(name);
        field.setAccessible(true); // snippet classes are package-private in package REPL
        return field.get(null);
    }

    /** Creates the one control the kernel's JShell uses and hands it back through {@link #created}. */
    static final class Provider implements ExecutionControlProvider {

        private final ClassLoader parent;
        private volatile KernelExecutionControl created;

        Provider(ClassLoader parent) {
            this.parent = parent;
        }

        @Override
        public String name() {
            return "easel";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            created = new KernelExecutionControl(new SnippetLoaderDelegate(parent));
            return created;
        }

        KernelExecutionControl created() {
            return created;
        }
    }
}
