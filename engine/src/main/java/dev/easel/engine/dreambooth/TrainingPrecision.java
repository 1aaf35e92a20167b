package dev.easel.engine.dreambooth;

import ai.djl.ndarray.types.DataType;
import dev.easel.engine.loading.DiffusersFolder;
import dev.easel.engine.memory.NativeHeap;
import dev.easel.engine.nn.Module;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weight types of a DreamBooth run, set up as diffusers' train_dreambooth does: the weights being trained are
 * float32 — the optimizer's master copies, whatever type the pipeline generates in (float16 on a GPU) — and the
 * frozen models are held in the mixed-precision type ({@code weight_dtype}; float32 without mixed precision).
 * Afterwards the pipeline gets its own types back: trained weights cast to it, and frozen weights whose type changed
 * read again from the base model's files — as diffusers' script builds its final pipeline from them. Keeping an exact
 * copy aside instead would hold every frozen weight twice through the run: with a float32 model on the CPU, fp16
 * mixed precision would then need more memory than float32, not less.
 */
final class TrainingPrecision implements AutoCloseable {

    /** Tensors read back between two trims of the native heap (SD 1.5's UNet has 686, 2.5 MB each in float16). */
    private static final int TRIM_EVERY = 32;

    private final StableDiffusionPipeline pipeline;
    private final Path baseModel;
    private final List<Module> trained = new ArrayList<>();
    /** Frozen models whose weights changed type, and their component folders in {@link #baseModel}. */
    private final Map<Module, String> retyped = new LinkedHashMap<>();

    /**
     * @param pipeline the pipeline being trained
     * @param baseModel the diffusers folder it was loaded from
     */
    TrainingPrecision(StableDiffusionPipeline pipeline, Path baseModel) {
        this.pipeline = pipeline;
        this.baseModel = baseModel;
    }

    /** A model whose weights train: float32. */
    void train(Module module) {
        module.to(pipeline.manager(), pipeline.device(), DataType.FLOAT32);
        trained.add(module);
    }

    /** A frozen model ({@code component}: its folder in the base model), held in {@code type}. */
    void freeze(Module module, String component, DataType type) {
        boolean changes = module.parameters().values().stream()
                .anyMatch(w -> w.getDataType().isFloating() && w.getDataType() != type);
        if (changes) {
            module.to(pipeline.manager(), pipeline.device(), type);
            retyped.put(module, component);
            // the replaced arrays are closed, but the memory under loaded weights (huge-page arena blocks, mapped
            // files) goes back when their buffers are collected: now, before training needs the room. Until then
            // the model is held in both types (MemoryBudget counts that moment).
            System.gc();
        }
    }

    /**
     * Puts the frozen models' own weights back (before the trained model is written beside them), reading those
     * whose type changed from the base model again, one tensor at a time.
     *
     * @throws dev.easel.engine.EngineException one line when the base model's files cannot be read any more
     */
    void restoreFrozen() {
        for (var it = retyped.entrySet().iterator(); it.hasNext(); ) {
            var frozen = it.next();
            DiffusersFolder.reloadComponent(
                    frozen.getKey(),
                    baseModel,
                    frozen.getValue(),
                    pipeline.manager(),
                    pipeline.dtype(),
                    (component, done, total) -> {
                        // the replaced half-precision arrays go back to glibc's heaps, which keep them: without
                        // trimming, the process would hold them beside their float32 successors
                        if (done % TRIM_EVERY == 0 || done == total) {
                            NativeHeap.releaseFreed();
                        }
                    });
            it.remove();
        }
    }

    /** The pipeline's own types again: frozen weights restored, trained ones cast to the pipeline's type. */
    @Override
    public void close() {
        restoreFrozen();
        trained.forEach(module -> module.to(pipeline.manager(), pipeline.device(), pipeline.dtype()));
        trained.clear();
    }
}
