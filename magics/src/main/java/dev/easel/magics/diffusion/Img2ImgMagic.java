package dev.easel.magics.diffusion;

import dev.easel.Generation;
import dev.easel.Img2Img;
import dev.easel.Model;
import dev.easel.engine.EngineException;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.pipeline.GenerationLimits;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.lang.model.SourceVersion;

/** {@code %img2img --init PATH_OR_VARIABLE [--strength F] [options] PROMPT…}, and the cell form. */
public final class Img2ImgMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return GenerationOptions.declare(
                        MagicSpec.magic("img2img", "Redraw an image towards a text prompt"), CommandOptions.IMG2IMG)
                .rest("PROMPT", "what to draw: the rest of the line (options come first)")
                .cellBody("the prompt")
                .note("Without --size the output has the init image's size (rounded down to multiples of 8).")
                .example("%img2img --init outputs/00000-42.png --strength 0.6 a blue circle")
                .example("%img2img --init result --strength 0.5 the same, at night");
    }

    @Override
    public List<String> optionValues(String option) {
        return GenerationOptions.values(option);
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        String initText = args.string("init-image");
        if (initText == null) {
            throw new MagicException("%img2img needs --init PATH_OR_VARIABLE: the image to start from");
        }
        Double strength = strength(args);
        String prompt = GenerationOptions.prompt(args, call);
        Model model = GenerationOptions.model(args, context);
        BufferedImage init = initImage(initText, context);
        Img2Img request = model.img2img(init, prompt);
        if (strength != null) {
            request.strength(strength);
        }
        request = GenerationOptions.apply(request, args, context);
        Generation generation = DiffusionRun.run(request::run, call);
        Txt2ImgMagic.show(generation, args, context);
    }

    /** --strength, which the declaration bounds to [0, 1]; 0 itself would change nothing; null: not given. */
    static Double strength(ParsedArgs args) {
        Double strength = args.number("strength");
        if (strength != null && strength <= 0) {
            throw new MagicException("--strength takes a number more than 0 and at most 1, got " + strength);
        }
        return strength;
    }

    /** A file (relative to the notebook) or a cell variable holding an image or a result. */
    static BufferedImage initImage(String text, MagicContext context) {
        return image("--init", text, context);
    }

    /** The image an option names: a file (relative to the notebook) or a cell variable holding an image or result. */
    static BufferedImage image(String option, String text, MagicContext context) {
        Path file = context.path(text);
        if (Files.isRegularFile(file)) {
            try {
                return GenerationLimits.readImage(file);
            } catch (EngineException e) {
                throw new MagicException(option + ": " + e.getMessage());
            }
        }
        Optional<Object> variable = SourceVersion.isName(text) ? context.variable(text) : Optional.empty();
        if (variable.isPresent()) {
            Object value = variable.get();
            if (value instanceof Generation generation) {
                return generation.image();
            }
            if (value instanceof BufferedImage image) {
                return image;
            }
            if (value instanceof RenderedImage rendered) {
                BufferedImage copy =
                        new BufferedImage(rendered.getWidth(), rendered.getHeight(), BufferedImage.TYPE_INT_RGB);
                copy.createGraphics().drawRenderedImage(rendered, new AffineTransform());
                return copy;
            }
            throw new MagicException(option + ": the variable " + text + " holds a "
                    + (value == null ? "null" : value.getClass().getSimpleName())
                    + ", not an image (a BufferedImage or a txt2img result)");
        }
        throw new MagicException(option + ": no file " + file + " and no cell variable " + text
                + " — give an image file or a variable holding a BufferedImage");
    }
}
