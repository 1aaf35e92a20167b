package dev.easel;

import dev.easel.engine.inpaint.InpaintOptions;
import dev.easel.engine.inpaint.Inpainter;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StepCallback;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * An inpainting request: the white part of the mask is repainted towards the prompt, the rest kept —
 * {@code sd.inpaint(photo, mask, "a red hat").maskBlur(4).run()}. With an SD inpainting checkpoint the UNet sees the
 * mask; with any other model the image is kept outside the mask at every step (both as diffusers' inpainting
 * pipeline). A1111's extras: {@link #maskBlur}, {@link #onlyMasked}, {@link #invertMask}.
 */
public final class Inpaint extends GenerationRequest<Inpaint> {

    public static final double DEFAULT_STRENGTH = 1.0;

    private final BufferedImage image;
    private final BufferedImage mask;
    private double strength = DEFAULT_STRENGTH;
    private int maskBlur = InpaintOptions.DEFAULT.maskBlur();
    private boolean onlyMasked;
    private int padding = InpaintOptions.DEFAULT.padding();
    private boolean invertMask;

    Inpaint(Model model, BufferedImage image, BufferedImage mask, String prompt) {
        super(model, prompt);
        if (image == null || mask == null) {
            throw new IllegalArgumentException("inpainting needs an image and a mask (white = repaint), got null");
        }
        this.image = image;
        this.mask = mask;
    }

    /** How much to change the masked part: 1 (default, as diffusers) redraws it, lower keeps more of it. */
    public Inpaint strength(double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException("strength must be more than 0 and at most 1, got " + value);
        }
        strength = value;
        return this;
    }

    /** Blur radius (pixels) of the mask the result is pasted back with (default 4; 0: a hard edge). */
    public Inpaint maskBlur(int pixels) {
        maskBlur = pixels;
        options(); // checks
        return this;
    }

    /** A1111's "only masked": generate the masked area plus {@code padding} pixels at full size, paste it back. */
    public Inpaint onlyMasked(int padding) {
        this.onlyMasked = true;
        this.padding = padding;
        options();
        return this;
    }

    /** Repaint the black part of the mask instead of the white. */
    public Inpaint invertMask(boolean invert) {
        invertMask = invert;
        return this;
    }

    private InpaintOptions options() {
        return new InpaintOptions(maskBlur, onlyMasked, padding, invertMask);
    }

    @Override
    String progressLabel() {
        return "inpaint";
    }

    @Override
    GenerationResult generate(GenerationSettings settings, StepCallback listener) {
        List<String> notes = new ArrayList<>();
        try {
            return Inpainter.run(
                    model.stableDiffusion("inpainting"),
                    settings,
                    image,
                    mask,
                    strength,
                    options(),
                    listener,
                    null,
                    notes);
        } finally {
            notes.forEach(note -> System.err.println("note: " + note));
        }
    }

    @Override
    GenerationParameters extra(GenerationParameters p) {
        GenerationParameters q = p.with("Denoising strength", strength).with("Mask blur", maskBlur);
        if (onlyMasked) {
            q = q.with("Inpaint area", "Only masked").with("Masked area padding", padding);
        }
        return invertMask ? q.with("Mask mode", "Inpaint not masked") : q;
    }

    @Override
    int defaultWidth() {
        return Math.max(8, image.getWidth() / 8 * 8);
    }

    @Override
    int defaultHeight() {
        return Math.max(8, image.getHeight() / 8 * 8);
    }
}
