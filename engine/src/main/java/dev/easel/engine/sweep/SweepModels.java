package dev.easel.engine.sweep;

import dev.easel.engine.pipeline.DiffusionPipeline;
import dev.easel.engine.pipeline.SamplingSpeed;

/** Where a sweep gets its pipelines: the notebook's loaded models, or files loaded on demand from the command line. */
public interface SweepModels {

    /** Fails with a one-line message if {@code model} can't be had — called for every model before any image. */
    void check(String model);

    /** The pipeline of {@code model}, loading it if needed. Models come outermost, so each is asked for once. */
    DiffusionPipeline pipeline(String model);

    /** How fast {@code model} samples, for the time a large sweep states before it runs; loads it if needed. */
    default SamplingSpeed samplingSpeed(String model) {
        return pipeline(model).samplingSpeed();
    }
}
