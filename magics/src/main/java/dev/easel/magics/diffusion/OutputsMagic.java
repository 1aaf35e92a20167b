package dev.easel.magics.diffusion;

import dev.easel.engine.options.Option;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import dev.easel.notebook.Outputs;

/** {@code %outputs [DIR]}: shows or sets the folder generated images are saved to. */
public final class OutputsMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("outputs", "Show or set the folder generated images are saved to (default outputs/)")
                .optionalPositional("DIR", "the new folder, relative to the notebook")
                .option(Option.flag("reset", "go back to the default (outputs/ next to the notebook)"))
                .example("%outputs renders/today");
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        Outputs.setNotebookDirectory(context.workingDirectory());
        if (args.flag("reset")) {
            Outputs.setFolder(null);
        }
        args.positional("DIR").ifPresent(dir -> Outputs.setFolder(context.path(dir)));
        System.out.println("Images are saved to " + Outputs.folder());
    }
}
