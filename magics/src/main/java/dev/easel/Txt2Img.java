package dev.easel;

import dev.easel.engine.EngineException;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.HiresFix;
import dev.easel.engine.pipeline.StepCallback;

/**
 * A text-to-image request: {@code sd.txt2img("a red circle").steps(20).seed(42).size(512, 512).run()}.
 * See {@link GenerationRequest} for the options.
 */
public final class Txt2Img extends GenerationRequest<Txt2Img> {

    Txt2Img(Model model, String prompt) {
        super(model, prompt);
    }

    /**
     * A1111's hires fix: after the first pass, enlarge by {@code scale} with {@code upscaler} ("latent",
     * "latent-nearest" or "lanczos") and redraw at {@code denoisingStrength} for {@code steps} steps (0: as many as
     * the first pass). The progress bar covers both passes.
     */
    public Txt2Img hires(double scale, String upscaler, int steps, double denoisingStrength) {
        return hires(HiresFix.byScale(upscaler(upscaler), scale, steps, denoisingStrength));
    }

    /** Hires fix to a size ({@code width}×{@code height}, multiples of 8) instead of a scale. */
    public Txt2Img hiresSize(int width, int height, String upscaler, int steps, double denoisingStrength) {
        return hires(HiresFix.toSize(upscaler(upscaler), width, height, steps, denoisingStrength));
    }

    /** Hires fix with A1111's defaults: ×2, the latent upscaler, the first pass's steps, denoising 0.7. */
    public Txt2Img hires() {
        return hires(2, "latent", 0, HiresFix.DEFAULT_DENOISING);
    }

    /** A hires fix as the engine describes it ({@code null}: none); checked when the request runs. */
    public Txt2Img hires(HiresFix fix) {
        hires = fix;
        return this;
    }

    private static HiresFix.Upscaler upscaler(String name) {
        try {
            return HiresFix.Upscaler.parse(name);
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    @Override
    String progressLabel() {
        return "txt2img";
    }

    @Override
    GenerationResult generate(GenerationSettings settings, StepCallback listener) {
        return model.pipeline().txt2img(settings, listener, null);
    }
}
