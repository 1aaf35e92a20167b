package dev.easel.magics.diffusion;

import dev.easel.Generation;
import dev.easel.Model;
import dev.easel.Txt2Img;
import dev.easel.display.Display;
import dev.easel.engine.options.CommandOptions;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import dev.easel.notebook.Outputs;
import java.io.UncheckedIOException;
import java.util.List;

/** {@code %txt2img [options] PROMPT…} and {@code %%txt2img [options]} with the prompt as body. */
public final class Txt2ImgMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return GenerationOptions.declare(
                        MagicSpec.magic("txt2img", "Draw images from a text prompt with the loaded model"),
                        CommandOptions.TXT2IMG)
                .rest("PROMPT", "what to draw: the rest of the line (options come first)")
                .cellBody("the prompt")
                .note("Shows a progress bar while sampling, then the images; saves each as PNG with its parameters\n"
                        + "in the outputs folder (%outputs). Interrupt stops within one step; the model stays loaded.")
                .example("%txt2img --steps 20 --seed 42 a red circle")
                .example("%%txt2img --batch 4 --size 512x768\na castle on a hill, oil painting");
    }

    @Override
    public List<String> optionValues(String option) {
        return GenerationOptions.values(option);
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        String prompt = GenerationOptions.prompt(args, call);
        Model model = GenerationOptions.model(args, context);
        Txt2Img request = GenerationOptions.apply(model.txt2img(prompt), args, context);
        show(DiffusionRun.run(request::run, call), args, context);
    }

    static void show(Generation generation, ParsedArgs args, MagicContext context) {
        if (!args.flag("no-save")) {
            Outputs.setNotebookDirectory(context.workingDirectory());
            try {
                generation.save(Outputs.folder());
            } catch (UncheckedIOException e) {
                Display.display(generation);
                throw new MagicException("images made but not saved: " + e.getMessage());
            }
        }
        Display.display(generation);
    }
}
