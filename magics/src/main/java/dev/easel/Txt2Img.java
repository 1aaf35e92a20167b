package dev.easel;

import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StepCallback;

/**
 * A text-to-image request: {@code sd.txt2img("a red circle").steps(20).seed(42).size(512, 512).run()}.
 * See {@link GenerationRequest} for the options.
 */
public final class Txt2Img extends GenerationRequest<Txt2Img> {

    Txt2Img(Model model, String prompt) {
        super(model, prompt);
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
