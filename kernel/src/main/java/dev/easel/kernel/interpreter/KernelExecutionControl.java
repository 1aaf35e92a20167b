package dev.easel.kernel.interpreter;

import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** JShell names a snippet's class {@code $JShell$12} and each re-declaration {@code $JShell$12B}, {@code …C}. */
    private static final Pattern SNIPPET_CLASS = Pattern.compile("(.*\\$JShell\\$\\d+)[A-Z]*");

    private final SnippetLoaderDelegate delegate;
    private volatile String lastInvokedClass;
    /** Snippet class without its re-declaration suffix → the newest class loaded for it. */
    private final Map<String, String> newestClass = new ConcurrentHashMap<>();

    private KernelExecutionControl(SnippetLoaderDelegate delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    ClassLoader loader() {
        return delegate.loader();
    }

    @Override
    public void load(ClassBytecodes[] cbcs)
            throws ClassInstallException, NotImplementedException, EngineTerminationException {
        super.load(rewrite(cbcs));
        for (ClassBytecodes cbc : cbcs) {
            newestClass.put(snippetKey(cbc.name()), cbc.name());
        }
    }

    /** The newest class loaded for the same snippet as {@code className} (itself if never re-declared). */
    String newestClassOf(String className) {
        return newestClass.getOrDefault(snippetKey(className), className);
    }

    private static String snippetKey(String className) {
        Matcher m = SNIPPET_CLASS.matcher(className);
        return m.matches() ? m.group(1) : className;
    }

    @Override
    public void redefine(ClassBytecodes[] cbcs)
            throws ClassInstallException, NotImplementedException, EngineTerminationException {
        super.redefine(rewrite(cbcs));
    }

    private static ClassBytecodes[] rewrite(ClassBytecodes[] cbcs) {
        return Stream.of(cbcs)
                .map(cbc -> new ClassBytecodes(cbc.name(), ExitCallRewriter.rewrite(cbc.bytecodes())))
                .toArray(ClassBytecodes[]::new);
    }

    @Override
    public String invoke(String className, String methodName)
            throws RunException, InternalException, EngineTerminationException {
        lastInvokedClass = className;
        try {
            return super.invoke(className, methodName);
        } finally {
            CellThreads.reportWhatBackgroundThreadsDieOf();
        }
    }

    String lastInvokedClass() {
        return lastInvokedClass;
    }

    /** The current value of the static field {@code name} of the snippet class {@code className}. */
    Object fieldValue(String className, String name) throws ReflectiveOperationException {
        Field field = findClass(className).getDeclaredField(name);
        field.setAccessible(true); // snippet classes are package-private in package REPL
        return field.get(null);
    }

    /** Sets the static field {@code name} of the snippet class {@code className}, if {@code value} fits its type. */
    boolean setFieldValue(String className, String name, Object value) throws ReflectiveOperationException {
        Field field = findClass(className).getDeclaredField(name);
        field.setAccessible(true);
        Class<?> type = field.getType();
        boolean fits = value == null
                ? !type.isPrimitive()
                : type.isPrimitive()
                        ? MethodType.methodType(type).wrap().returnType().isInstance(value)
                        : type.isInstance(value);
        if (fits) {
            field.set(null, value);
        }
        return fits;
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
