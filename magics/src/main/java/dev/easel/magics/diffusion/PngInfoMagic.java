package dev.easel.magics.diffusion;

import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.io.Png;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code %png_info PATH}: prints the generation parameters stored in a PNG (A1111 {@code parameters} chunk). */
public final class PngInfoMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("png_info", "Print the generation parameters saved in a PNG (A1111 format)")
                .positional("PATH", "a PNG made by Easel, AUTOMATIC1111 or another tool that writes 'parameters'")
                .example("%png_info outputs/00000-42.png");
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
    }
}
