package dev.easel.magics.diffusion;

import dev.easel.Easel;
import dev.easel.Txt2Img;
import dev.easel.engine.io.Png;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.options.Option;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code %png_info PATH}: prints the generation parameters stored in a PNG (A1111 {@code parameters} chunk). */
public final class PngInfoMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("png_info", "Print the generation parameters saved in a PNG (A1111 format)")
                .positional("PATH", "a PNG made by Easel, AUTOMATIC1111 or another tool that writes 'parameters'")
                .option(Option.flag(
                        "run",
                        "make the image again from its parameters (same seed, same model → same"
                                + " image); fields Easel lacks are named, one line each"))
                .option(CommandOptions.MODEL.withHelp("with --run: a loaded model's name (default: the loaded model"
                        + " the image names, else the one loaded last)"))
                .option(CommandOptions.NO_SAVE)
                .example("%png_info outputs/00000-42.png")
                .example("%png_info outputs/00000-42.png --run");
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        Path file = context.path(args.positional("PATH").orElseThrow());
        if (!Files.isRegularFile(file)) {
            throw new MagicException("%png_info: no such file " + file + " (relative paths start at "
                    + context.workingDirectory() + ")");
        }
        Map<String, String> text = Png.readText(file); // an EngineException becomes "%png_info: …" in Magics.run
        String parameters = text.get(GenerationParameters.PNG_KEY);
        if (parameters == null) {
            throw new MagicException("%png_info: " + file.getFileName() + " has no generation parameters"
                    + (text.isEmpty() ? "" : " (its text chunks: " + String.join(", ", text.keySet()) + ")"));
        }
        System.out.println(parameters);
        if (args.flag("run")) {
            Txt2Img request;
            try {
                request = args.string("model") != null
                        ? GenerationOptions.model(args, context).fromPng(file)
                        : Easel.fromPng(file);
            } catch (IllegalArgumentException e) {
                throw new MagicException("%png_info --run: " + e.getMessage());
            }
            Txt2ImgMagic.show(DiffusionRun.run(request::run, call), args, context);
        } else if (args.string("model") != null || args.flag("no-save")) {
            throw new MagicException("%png_info: --model and --no-save go with --run");
        }
    }
}
