package dev.easel.magics.general;

import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import dev.easel.notebook.Environment;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code %env}: lists, reads and sets environment variables. A JVM cannot change its own environment, so
 * {@code %env NAME=value} sets it in Easel's overlay ({@link Environment}), which Easel's settings and the processes it starts
 * see; the value is also shown by later {@code %env} calls.
 */
public final class EnvMagic extends SpecMagic {

    private static final Pattern SECRET = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASS|CREDENTIAL).*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("env", "List, show or set environment variables")
                .optionalPositional("NAME[=VALUE]", "a variable to show, or NAME=VALUE to set")
                .optionalPositional("VALUE", "the value to set (same as NAME=VALUE)")
                .note("Values of names that look secret (…KEY, …TOKEN, …SECRET, …PASS…) are hidden in the listing.\n"
                        + "A JVM cannot change its own environment: %env NAME=VALUE is seen by Easel (Environment.get)\n"
                        + "and by processes it starts, not by System.getenv().")
                .example("%env")
                .example("%env HOME")
                .example("%env EASEL_OUTPUTS=/tmp/out");
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        Optional<String> first = args.positional("NAME[=VALUE]");
        Optional<String> second = args.positional("VALUE");
        if (first.isEmpty()) {
            Environment.all()
                    .forEach((k, v) ->
                            System.out.println(k + "=" + (SECRET.matcher(k).matches() ? "<hidden>" : v)));
            return;
        }
        String text = first.get();
        int eq = text.indexOf('=');
        String name = eq < 0 ? text : text.substring(0, eq);
        if (!NAME.matcher(name).matches()) {
            throw new MagicException("'" + name + "' is not a variable name: use letters, digits and _");
        }
        if (eq < 0 && second.isEmpty()) {
            System.out.println(Environment.get(name)
                    .orElseThrow(() -> new MagicException(
                            "environment variable " + name + " is not set (%env " + name + "=VALUE sets it)")));
            return;
        }
        String value =
                eq >= 0 ? text.substring(eq + 1) + second.map(s -> " " + s).orElse("") : second.get();
        Environment.set(name, value);
        System.out.println("env: " + name + "="
                + (SECRET.matcher(name.toUpperCase(Locale.ROOT)).matches() ? "<hidden>" : value));
    }
}
