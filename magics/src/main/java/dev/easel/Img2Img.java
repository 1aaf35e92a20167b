package dev.easel;

import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StepCallback;
import java.awt.image.BufferedImage;

/**
 * An image-to-image request: the init image is noised to {@link #strength} and redrawn towards the prompt.
 * {@code sd.img2img(photo, "an oil painting").strength(0.6).run()}. Without {@code size(…)} the output has the init
 * image's size rounded to multiples of 8.
 */
public final class Img2Img extends GenerationRequest<Img2Img> {

    private final BufferedImage init;
    private Double strength;

    Img2Img(Model model, BufferedImage init, String prompt) {
        super(model, prompt);
        if (init == null) {
            throw new IllegalArgumentException("img2img needs an init image, got null");
        }
        this.init = init;
    }

    /**
     * How much to change the init image: near 0 keeps it, 1 redraws it entirely (default: the model's recommendation,
     * else 0.75).
     */
    public Img2Img strength(double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException("strength must be more than 0 and at most 1, got " + value);
        }
        strength = value;
        return this;
    }

    private double strength() {
        return strength != null ? strength : model.defaults().strength();
    }

    public BufferedImage init() {
        return init;
    }

    @Override
    String progressLabel() {
        return "img2img";
    }

    @Override
    GenerationResult generate(GenerationSettings settings, StepCallback listener) {
        return model.pipeline().img2img(settings, init, strength(), listener, null);
    }

    @Override
    GenerationParameters extra(GenerationParameters p) {
        return p.with("Denoising strength", strength());
    }

    @Override
    int defaultWidth() {
        return Math.max(8, init.getWidth() / 8 * 8);
    }

    @Override
    int defaultHeight() {
        return Math.max(8, init.getHeight() / 8 * 8);
    }
}
