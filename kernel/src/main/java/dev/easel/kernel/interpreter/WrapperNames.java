package dev.easel.kernel.interpreter;

import java.util.regex.Pattern;

/**
 * The names of the classes JShell wraps each snippet in ({@code REPL.$JShell$12}), which cells never see, taken out of
 * text shown to the user — as JShell does for the values it reports: {@code Foo@1a2b}, not
 * {@code REPL.$JShell$12$Foo@1a2b}; {@code "s" is null}, not {@code "REPL.$JShell$20.s" is null}.
 */
final class WrapperNames {

    private static final Pattern WRAPPER = Pattern.compile("REPL\\.\\$JShell\\$\\d+[A-Z]*[.$]");

    private WrapperNames() {}

    static String strip(String text) {
        return text == null || !text.contains("REPL.")
                ? text
                : WRAPPER.matcher(text).replaceAll("");
    }
}
