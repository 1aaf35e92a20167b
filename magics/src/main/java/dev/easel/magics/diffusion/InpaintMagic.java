package dev.easel.magics.diffusion;

import dev.easel.Generation;
import dev.easel.Inpaint;
import dev.easel.Model;
import dev.easel.engine.options.CommandOptions;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.util.List;

/** {@code %inpaint --init IMAGE --mask MASK [--strength F] [A1111 extras] [options] PROMPT…}, and the cell form. */
public final class InpaintMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return GenerationOptions.declare(
                        MagicSpec.magic("inpaint", "Repaint the white part of a mask over an image"),
                        CommandOptions.INPAINT)
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
        if (args.string("init-image") == null || args.string("mask") == null) {
            throw new MagicException("%inpaint needs --init IMAGE and --mask MASK (white = repaint)");
        }
        Double strength = Img2ImgMagic.strength(args);
        String prompt = GenerationOptions.prompt(args, call);
        Model model = GenerationOptions.model(args, context);
        Inpaint request = model.inpaint(
                        Img2ImgMagic.image("--init", args.string("init-image"), context),
                        Img2ImgMagic.image("--mask", args.string("mask"), context),
                        prompt)
                .maskBlur(args.integer("mask-blur"))
                .invertMask(args.flag("invert-mask"));
        if (strength != null) {
            request.strength(strength);
        }
        if (args.string("inpaint-area").equals("masked")) {
            request.onlyMasked(args.integer("padding"));
        }
        GenerationOptions.apply(request, args, context);
        Generation generation = DiffusionRun.run(request::run, call);
        Txt2ImgMagic.show(generation, args, context);
    }
}
