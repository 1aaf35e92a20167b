package dev.easel.kernel.interpreter;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The detailed view of a class for {@code name??}: where it comes from and its public members. */
final class ClassDetail {

    /** More members than a pager page shows usefully: the rest is counted. */
    static final int MAX_MEMBERS = 80;

    private ClassDetail() {}

    static String describe(Class<?> type) {
        StringBuilder out = new StringBuilder();
        out.append("class: ").append(WrapperNames.strip(type.getName())).append('\n');
        out.append("from: ").append(origin(type)).append('\n');
        List<String> members = members(type);
        if (!members.isEmpty()) {
            out.append("public members:\n");
            members.stream()
                    .limit(MAX_MEMBERS)
                    .forEach(member -> out.append("  ").append(member).append('\n'));
            if (members.size() > MAX_MEMBERS) {
                out.append("  … and ").append(members.size() - MAX_MEMBERS).append(" more\n");
            }
        }
        return out.toString();
    }

    /** The jar or folder a class was loaded from, its JDK module, or the notebook for a class a cell declared. */
    static String origin(Class<?> type) {
        if (type.getName().startsWith("REPL.")) {
            return "a cell of this notebook";
        }
        CodeSource source = type.getProtectionDomain() == null
                ? null
                : type.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            return source.getLocation().toString();
        }
        return type.getModule().isNamed() ? "module " + type.getModule().getName() + " of the JDK" : "unknown";
    }

    /** Public fields and methods (not {@link Object}'s), sorted, as short signatures. */
    static List<String> members(Class<?> type) {
        TreeSet<String> members = new TreeSet<>();
        for (Field field : type.getFields()) {
            members.add((Modifier.isStatic(field.getModifiers()) ? "static " : "") + simple(field.getType()) + " "
                    + field.getName());
        }
        for (Method method : type.getMethods()) {
            if (method.getDeclaringClass() == Object.class || method.isSynthetic() || method.isBridge()) {
                continue;
            }
            members.add((Modifier.isStatic(method.getModifiers()) ? "static " : "") + simple(method.getReturnType())
                    + " " + method.getName()
                    + Arrays.stream(method.getParameterTypes())
                            .map(ClassDetail::simple)
                            .collect(Collectors.joining(", ", "(", ")")));
        }
        return members.stream()
                .sorted(Comparator.comparing(ClassDetail::nameOf))
                .toList();
    }

    private static String nameOf(String member) {
        String withoutParameters = member.replaceAll("\\(.*", "");
        return withoutParameters.substring(withoutParameters.lastIndexOf(' ') + 1) + member;
    }

    private static String simple(Class<?> type) {
        return WrapperNames.strip(type.getSimpleName());
    }
}
