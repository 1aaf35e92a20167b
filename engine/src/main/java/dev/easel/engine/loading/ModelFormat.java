package dev.easel.engine.loading;

import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;

/**
 * One way a model can be stored on disk — a diffusers folder, a Hugging Face cache folder, a single-file checkpoint,
 * a DreamBooth run — and how to load it. {@link ModelLoader} asks each in turn whether a path is its format.
 */
public interface ModelFormat {

    /**
     * Whether {@code path} (which exists) is in this format, from its names and small files only. A path that is
     * plainly this format but unusable (a cache folder without a snapshot) fails here with one-line
     * {@link dev.easel.engine.EngineException}, so checking a path finds it before anything loads.
     */
    boolean recognizes(Path path);

    /** Loads the model at {@code path}; bad input fails with one line naming the file. */
    StableDiffusionPipeline load(Path path, LoadOptions options);
}
