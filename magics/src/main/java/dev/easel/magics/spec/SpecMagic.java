package dev.easel.magics.spec;

import dev.easel.engine.options.Option;
import dev.easel.magics.CellPart;
import dev.easel.magics.Magic;
import dev.easel.magics.MagicContext;
import java.util.List;

/**
 * A {@link Magic} whose command line is declared by a {@link MagicSpec}: name, summary, help, Tab completion and
 * argument parsing all come from the one declaration. Subclasses implement {@link #run(ParsedArgs, CellPart.MagicCall,
 * MagicContext)} and get typed values.
 */
public abstract class SpecMagic implements Magic {

    private MagicSpec spec;

    /** Declares the command line; called once. */
    protected abstract MagicSpec declare();

    public final MagicSpec spec() {
        if (spec == null) {
            spec = declare();
        }
        return spec;
    }

    @Override
    public String name() {
        return spec().name();
    }

    @Override
    public String summary() {
        return spec().summary();
    }

    @Override
    public String help() {
        return spec().help();
    }

    @Override
    public boolean isLineMagic() {
        return spec().isLineMagic();
    }

    @Override
    public boolean isCellMagic() {
        return spec().isCellMagic();
    }

    @Override
    public List<String> optionNames() {
        return spec().optionNames();
    }

    @Override
    public List<String> optionValues(String option) {
        return spec().option(option.replaceFirst("^--", ""))
                .map(Option::choices)
                .orElse(List.of());
    }

    @Override
    public String metavar(String option) {
        if (option == null) {
            return spec().positionals().stream()
                    .findFirst()
                    .map(MagicSpec.Positional::metavar)
                    .orElse(null);
        }
        return spec().option(option.replaceFirst("^--", ""))
                .map(Option::metavar)
                .orElse(null);
    }

    @Override
    public final void run(CellPart.MagicCall call, MagicContext context) throws Exception {
        run(spec().parse(call.args(), call.spelled()), call, context);
    }

    protected abstract void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) throws Exception;
}
