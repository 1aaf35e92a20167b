package dev.easel.engine;

import dev.easel.engine.dreambooth.DreamBoothCheckpoint;
import dev.easel.engine.pipeline.LoadOptions;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.ModelSource;
import java.nio.file.Path;

/**
 * Everything a user may give where a model is asked for: a diffusers folder, a Hugging Face cache folder, a single
 * {@code .safetensors} checkpoint, or a checkpoint folder of a DreamBooth run (its base model with the trained weights).
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    public static StableDiffusionPipeline load(Path path, LoadOptions options) {
        return DreamBoothCheckpoint.isCheckpoint(path) ? DreamBoothCheckpoint.load(path, options)
                : StableDiffusionPipeline.load(path, options);
    }

    /** Checks that {@code path} is something {@link #load} takes, without loading it (one-line EngineException). */
    public static void check(Path path) {
        if (!DreamBoothCheckpoint.isCheckpoint(path)) {
            ModelSource.resolve(path);
        }
    }
}
