package dev.easel.engine.dreambooth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.nn.Module;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weight types of a DreamBooth run, set up as diffusers' train_dreambooth does: the weights being trained are
 * float32 — the optimizer's master copies, whatever type the pipeline generates in (float16 on a GPU) — and the
 * frozen models are held in the mixed-precision type ({@code weight_dtype}; float32 without mixed precision).
 * Afterwards the pipeline gets its own types back: frozen weights exactly as they were, trained ones cast to it.
 */
final class TrainingPrecision implements AutoCloseable {

    private final StableDiffusionPipeline pipeline;
    private final List<Module> trained = new ArrayList<>();
    private final Map<Module, Map<String, NDArray>> frozenOriginals = new LinkedHashMap<>();

    TrainingPrecision(StableDiffusionPipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** A model whose weights train: float32. */
    void train(Module module) {
        module.to(pipeline.manager(), pipeline.device(), DataType.FLOAT32);
        trained.add(module);
    }

    /** A frozen model: held in {@code type}, its weights of another type kept aside to be restored exactly. */
    void freeze(Module module, DataType type) {
        Map<String, NDArray> originals = new LinkedHashMap<>();
        module.parameters().forEach((name, weight) -> {
            if (weight.getDataType().isFloating() && weight.getDataType() != type) {
                originals.put(name, weight.duplicate());
            }
        });
        module.to(pipeline.manager(), pipeline.device(), type);
        frozenOriginals.put(module, originals);
    }

    /** Puts the frozen models' own weights back (before the trained model is written beside them). */
    void restoreFrozen() {
        frozenOriginals.forEach((module, originals) -> originals.forEach(module::setParameter));
        frozenOriginals.clear();
    }

    /** The pipeline's own types again: frozen weights restored, trained ones cast to the pipeline's type. */
    @Override
    public void close() {
        restoreFrozen();
        trained.forEach(module -> module.to(pipeline.manager(), pipeline.device(), pipeline.dtype()));
        trained.clear();
    }
}
