package dev.easel.engine.loading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.train.CheckpointStore;
import dev.easel.engine.train.TrainingLoop;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a DreamBooth run leaves, as a model. A checkpoint ({@code RUN/checkpoints/checkpoint-N}, or the run folder
 * {@code RUN/checkpoints} meaning its latest) is the run's base model (named in the checkpoint's manifest) with the
 * checkpoint's trained weights put on it — full UNet / text-encoder weights, or LoRA adapters at weight 1: this is
 * what lets a sweep compare a run's checkpoints side by side. The run's output folder {@code RUN} itself is its
 * finished model: {@code RUN/model} when the run wrote one (a full fine-tune), else its latest checkpoint (a LoRA
 * run's last checkpoint holds the same adapters as its {@code pytorch_lora_weights.safetensors}).
 */
public final class DreamBoothOutput implements ModelFormat {

    @Override
    public boolean recognizes(Path path) {
        return isCheckpoint(path) || isRunOutput(path);
    }

    @Override
    public StableDiffusionPipeline load(Path path, LoadOptions options) {
        if (isCheckpoint(path)) {
            return loadCheckpoint(path, options);
        }
        Path model = path.resolve("model");
        return new DiffusersFolder().recognizes(model)
                ? new DiffusersFolder().load(model, options)
                : loadCheckpoint(path.resolve(CheckpointStore.RUN_FOLDER), options);
    }

    /** A training's output folder: it holds the run folder of checkpoints, and is no model folder itself. */
    private static boolean isRunOutput(Path folder) {
        Path runFolder = folder.resolve(CheckpointStore.RUN_FOLDER);
        return Files.isDirectory(runFolder)
                && !Files.exists(folder.resolve("model_index.json"))
                && (new DiffusersFolder().recognizes(folder.resolve("model")) || isCheckpoint(runFolder));
    }

    /**
     * True for a checkpoint folder written by a DreamBooth run (its manifest names the base model), or a run's
     * checkpoints folder (meaning its latest checkpoint).
     */
    public static boolean isCheckpoint(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try {
            return identity(CheckpointStore.open(folder)).get("base_model") instanceof String;
        } catch (EngineException e) {
            return false;
        }
    }

    /**
     * Loads the base model and puts the checkpoint's weights on it.
     *
     * @throws EngineException one line when the folder is not a DreamBooth checkpoint, its base model has gone, or the
     *                         weights don't fit the base model
     */
    private static StableDiffusionPipeline loadCheckpoint(Path folder, LoadOptions options) {
        CheckpointStore.Checkpoint checkpoint = CheckpointStore.open(folder);
        Map<String, Object> identity = identity(checkpoint);
        if (!(identity.get("base_model") instanceof String baseName)) {
            throw new EngineException(
                    checkpoint.folder() + " is not a DreamBooth checkpoint (its manifest names no" + " base model)");
        }
        Path base = Path.of(baseName);
        if (!Files.exists(base)) {
            throw new EngineException(checkpoint.folder() + " was trained from " + base + ", which is not there any"
                    + " more; put the base model back at that path to use the checkpoint");
        }
        Path weights = checkpoint.folder().resolve(TrainingLoop.WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new EngineException(weights + " is missing; the checkpoint is incomplete, use another one");
        }
        StableDiffusionPipeline pipeline = ModelLoader.load(base, options);
        boolean ok = false;
        try {
            int loraRank = identity.get("lora_rank") instanceof Number n ? n.intValue() : 0;
            if (loraRank > 0) {
                double alpha = identity.get("lora_alpha") instanceof Number a ? a.doubleValue() : loraRank;
                LoraNetwork.load(weights, pipeline.unet(), pipeline.textEncoder(), 1.0, alpha, pipeline.manager());
            } else {
                putTrainedWeights(weights, pipeline);
            }
            ok = true;
            return pipeline;
        } finally {
            if (!ok) {
                pipeline.close();
            }
        }
    }

    /** Copies {@code unet.*} and {@code text_encoder.*} tensors (the trainer's names) into the loaded models. */
    private static void putTrainedWeights(Path file, StableDiffusionPipeline pipeline) {
        Map<String, NDArray> unet = pipeline.unet().parameters();
        Map<String, NDArray> textEncoder = pipeline.textEncoder().parameters();
        try (SafeTensors f = SafeTensors.open(file);
                NDManager scope = pipeline.manager().newSubManager()) {
            for (String key : f.keys()) {
                NDArray target = key.startsWith("unet.")
                        ? unet.get(key.substring("unet.".length()))
                        : key.startsWith("text_encoder.")
                                ? textEncoder.get(key.substring("text_encoder.".length()))
                                : null;
                if (target == null) {
                    throw new EngineException(file + ": " + key + " names no weight of the base model; the"
                            + " checkpoint belongs to another model");
                }
                NDArray value = f.read(key, scope, target.getDataType()).toDevice(target.getDevice(), false);
                if (!value.getShape().equals(target.getShape())) {
                    throw new EngineException(file + ": " + key + " has shape " + value.getShape() + ", the base"
                            + " model's is " + target.getShape() + "; the checkpoint belongs to another model");
                }
                value.copyTo(target);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> identity(CheckpointStore.Checkpoint checkpoint) {
        return checkpoint.manifest().get("identity") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
