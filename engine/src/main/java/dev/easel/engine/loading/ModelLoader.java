package dev.easel.engine.loading;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.PredictionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a user may give where a model is asked for, one {@link ModelFormat} each: a DreamBooth run or checkpoint
 * folder, a Hugging Face cache folder, a diffusers folder (a cache snapshot is one), or a single-file checkpoint.
 */
public final class ModelLoader {

    /** Asked in this order: a DreamBooth output is a folder too, but no diffusers folder. */
    private static final List<ModelFormat> FORMATS =
            List.of(new DreamBoothOutput(), new HuggingFaceCache(), new DiffusersFolder(), new SingleFileCheckpoint());

    private static final System.Logger LOG = System.getLogger(ModelLoader.class.getName());

    private ModelLoader() {}

    /**
     * The name a model goes by in an image's parameters ({@code Model: …}), as A1111 names it: "default" for the
     * default model, a folder's name, a checkpoint's file name without its extension.
     */
    public static String modelName(Path model) {
        if (DefaultModel.isDefaultFolder(model)) {
            return DefaultModel.NAME; // not the cache folder it was copied into (default-model-3fa2…)
        }
        String file = model.getFileName().toString();
        return Files.isDirectory(model) ? file : file.replaceFirst("\\.(safetensors|ckpt|pt|pth|bin)$", "");
    }

    /** Loads with {@link LoadOptions#defaults()}. */
    public static StableDiffusionPipeline load(Path path) {
        return load(path, LoadOptions.defaults());
    }

    /** Loads the model at {@code path}; bad input fails with one {@link EngineException} line naming the file. */
    public static StableDiffusionPipeline load(Path path, LoadOptions options) {
        if (options.predictionType() != null) {
            PredictionType.parse(options.predictionType(), "prediction type"); // before any weight is read
        }
        ModelFormat format = formatOf(path);
        if (options.dtype() == DataType.FLOAT16
                && (options.device() == null || options.device().equals(Device.cpu()))) {
            // libtorch's CPU float16 kernels: SD 1.5 at 256², one libtorch thread here: 15.6 s per CFG step against
            // 5.5 s in float32 (and 2.7 GB peak against 4.9 GB); a choice to make knowingly, as the memory estimate
            // suggests it
            LOG.log(
                    System.Logger.Level.WARNING,
                    "float16 weights on the CPU make generation about 3x slower than float32 (they halve the"
                            + " weights' memory); load with --dtype fp32 unless memory is short");
        }
        return format.load(path, options);
    }

    /** Checks that {@code path} is something {@link #load} takes, without loading it (one-line EngineException). */
    public static void check(Path path) {
        formatOf(path);
    }

    /**
     * The diffusers folder at {@code path}: the folder itself, or a cache folder's newest snapshot; empty when the
     * path is a model in another format.
     *
     * @throws EngineException one line when {@code path} is no model at all
     */
    public static Optional<Path> diffusersFolder(Path path) {
        ModelFormat format = formatOf(path);
        if (format instanceof HuggingFaceCache) {
            return Optional.of(HuggingFaceCache.snapshot(path));
        }
        return format instanceof DiffusersFolder ? Optional.of(path) : Optional.empty();
    }

    private static ModelFormat formatOf(Path path) {
        if (!Files.exists(path)) {
            throw new EngineException(path + ": file not found");
        }
        for (ModelFormat format : FORMATS) {
            if (format.recognizes(path)) {
                return format;
            }
        }
        throw new EngineException(
                Files.isRegularFile(path)
                        ? path + ": not a model (expected a diffusers folder or a .safetensors file)"
                        : path + ": not a diffusers folder (no model_index.json or unet/)");
    }
}
