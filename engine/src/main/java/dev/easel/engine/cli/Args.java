package dev.easel.engine.cli;

import dev.easel.engine.options.CommandLine;
import dev.easel.engine.options.Option;
import dev.easel.engine.options.OptionException;
import dev.easel.engine.options.OptionSet;
import dev.easel.engine.options.OptionValues;
import java.util.List;
import java.util.Set;

/**
 * {@code --name value} options, repeatable ones collected in order; unknown options are usage errors. For the tools'
 * own subcommands (train-base, evaluate-default, bench-engine); txt2img, img2img, xyz and dreambooth parse their
 * declared options with {@link dev.easel.engine.options.CommandLine}.
 */
final class Args {

    private final OptionValues values;

    Args(List<String> args, Set<String> known) {
        OptionSet declared = OptionSet.of(known.stream()
                .sorted()
                .map(name -> Option.string(name, "VALUE", null, "").repeated())
                .toArray(Option[]::new));
        try {
            values = CommandLine.parse(args, declared, null);
        } catch (OptionException e) {
            throw new UsageException(e.getMessage());
        }
    }

    boolean has(String name) {
        return values.given(name);
    }

    List<String> all(String name) {
        return values.strings(name);
    }

    String string(String name, String dflt) {
        return values.given(name) ? values.string(name) : dflt;
    }

    String required(String name) {
        String v = string(name, null);
        if (v == null) {
            throw new UsageException("missing required option --" + name);
        }
        return v;
    }

    int integer(String name, int dflt) {
        String v = string(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    long longValue(String name, long dflt) {
        String v = string(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    double number(String name, double dflt) {
        String v = string(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            double number = Double.parseDouble(v.trim());
            if (!Double.isFinite(number)) {
                throw new NumberFormatException("not finite");
            }
            return number;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a finite number, got '" + v + "'");
        }
    }
}
