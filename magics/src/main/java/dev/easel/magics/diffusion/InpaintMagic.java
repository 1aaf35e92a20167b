package dev.easel.magics.diffusion;

import dev.easel.Generation;
import dev.easel.Inpaint;
import dev.easel.Model;
import dev.easel.engine.inpaint.InpaintOptions;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.Option;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.util.List;

/** {@code %inpaint --init IMAGE --mask MASK [--strength F] [A1111 extras] [options] PROMPT…}, and the cell form. */
public final class InpaintMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return GenerationOptions.declare(MagicSpec.magic("inpaint", "Repaint the white part of a mask over an image")
                        .option(Option.string("init", "PATH_OR_VARIABLE", null,
                                "the image: a file, or a cell variable holding a BufferedImage or a result"))
                        .option(Option.string("mask", "PATH_OR_VARIABLE", null,
                                "the mask, same size as the image (else resized): white = repaint"))
                        .option(Option.floating("strength", "F", Inpaint.DEFAULT_STRENGTH,
                                "how much to change the masked part: 1 redraws it").min(0).max(1))
                        .option(Option.integer("mask-blur", "PX", InpaintOptions.DEFAULT.maskBlur(),
                                "blur of the mask the result is pasted back with").min(0))
                        .option(Option.choice("inpaint-area", List.of("whole", "masked"), "whole",
                                "generate the whole picture, or only the masked area at full size"))
                        .option(Option.integer("padding", "PX", InpaintOptions.DEFAULT.padding(),
                                "pixels around the masked area with --inpaint-area masked").min(0))
                        .option(Option.flag("invert-mask", "repaint the black part instead")))
                .rest("PROMPT", "what to paint in: the rest of the line (options come first)")
                .cellBody("the prompt")
                .note("An SD inpainting checkpoint sees the mask; any other model keeps the image outside it at every\n"
                        + "step (both as diffusers' StableDiffusionInpaintPipeline). Pixels outside the mask stay the\n"
                        + "original's. Without --size the output has the image's size (multiples of 8).")
                .example("%inpaint --init photo.png --mask mask.png a red hat")
                .example("%inpaint --init result --mask mask.png --inpaint-area masked --mask-blur 8 a smiling face");
    }

    @Override
    public List<String> optionValues(String option) {
        return GenerationOptions.values(option);
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        if (args.string("init") == null || args.string("mask") == null) {
            throw new MagicException("%inpaint needs --init IMAGE and --mask MASK (white = repaint)");
        }
        double strength = Img2ImgMagic.strength(args);
        String prompt = GenerationOptions.prompt(args, call);
        Model model = GenerationOptions.model(args, context);
        Inpaint request = model.inpaint(Img2ImgMagic.image("--init", args.string("init"), context),
                        Img2ImgMagic.image("--mask", args.string("mask"), context), prompt)
                .strength(strength).maskBlur(args.integer("mask-blur")).invertMask(args.flag("invert-mask"));
        if (args.string("inpaint-area").equals("masked")) {
            request.onlyMasked(args.integer("padding"));
        }
        GenerationOptions.apply(request, args, context);
        Generation generation = DiffusionRun.run(request::run, call);
        Txt2ImgMagic.show(generation, args, context);
    }
}
