package dev.easel.engine.loading;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;

/**
 * How to load a model: where it runs, in which precision, and what a single-file checkpoint lacks.
 *
 * @param device where to run (GPU when one is present by default)
 * @param dtype float32 on CPU, float16 on GPU by default
 * @param configDir for single-file checkpoints: a diffusers folder to take the tokenizer, scheduler and model
 *                  configs from (null: infer the architecture from tensor shapes, look for the CLIP tokenizer in
 *                  the Hugging Face cache)
 * @param predictionType "epsilon" or "v_prediction" to override the scheduler config (null: keep)
 * @param listener load progress
 */
public record LoadOptions(Device device, DataType dtype, Path configDir, String predictionType, LoadProgress listener) {

    /** GPU + float16 when a GPU is present, else CPU + float32. */
    public static LoadOptions defaults() {
        boolean gpu = Engine.getInstance().getGpuCount() > 0;
        return new LoadOptions(
                gpu ? Device.gpu() : Device.cpu(),
                gpu ? DataType.FLOAT16 : DataType.FLOAT32,
                null,
                null,
                LoadProgress.NONE);
    }

    /** CPU, float32. */
    public static LoadOptions cpu() {
        return new LoadOptions(Device.cpu(), DataType.FLOAT32, null, null, LoadProgress.NONE);
    }

    public LoadOptions withConfigDir(Path dir) {
        return new LoadOptions(device, dtype, dir, predictionType, listener);
    }

    public LoadOptions withListener(LoadProgress l) {
        return new LoadOptions(device, dtype, configDir, predictionType, l);
    }

    public LoadOptions withPredictionType(String t) {
        return new LoadOptions(device, dtype, configDir, t, listener);
    }

    public LoadOptions withDevice(Device d, DataType t) {
        return new LoadOptions(d, t, configDir, predictionType, listener);
    }
}
