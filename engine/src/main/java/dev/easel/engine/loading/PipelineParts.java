package dev.easel.engine.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.memory.MemoryBudget;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Module;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.weights.TensorFile;
import dev.easel.engine.weights.WeightLoader;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What every format's loader produces — tokenizer, text encoder, UNet, VAE and scheduler config, with the weights in
 * float32 on the CPU in {@code manager} — and the one step they share: moving to the asked device and precision.
 */
record PipelineParts(
        NDManager manager,
        ClipTokenizer tokenizer,
        ClipTextModel textEncoder,
        UNet2DConditionModel unet,
        AutoencoderKL vae,
        SchedulerConfig scheduler) {

    /**
     * Fills one component's parameters from {@code file}, telling {@code progress} as {@code name}. Each tensor is
     * converted to the options' dtype as it is read, so a load never holds a float32 copy of fp16 weights.
     */
    static void loadWeights(
            Module component,
            TensorFile file,
            Function<String, String> keys,
            NDManager manager,
            String name,
            LoadOptions options) {
        LoadProgress progress = options.listener() == null ? LoadProgress.NONE : options.listener();
        WeightLoader.load(
                component,
                file,
                keys,
                manager,
                dtype(options),
                (done, total) -> progress.onProgress(name, done, total));
    }

    /** Fails in one line, before any weight is read, when the weights cannot fit in the memory that is free. */
    static void checkMemory(Path source, LoadOptions options, Module... parts) {
        long parameters = 0;
        for (Module part : parts) {
            parameters += part.parameterCount();
        }
        MemoryBudget.forLoad(source.toString(), parameters, dtype(options)).check();
    }

    private static DataType dtype(LoadOptions options) {
        return options.dtype() == null ? DataType.FLOAT32 : options.dtype();
    }

    /**
     * The pipeline on the options' device and dtype, with their prediction type. Takes ownership of
     * {@link #manager}: it is closed here when the weights move to a new one.
     */
    StableDiffusionPipeline toPipeline(LoadOptions options) {
        SchedulerConfig sched = options.predictionType() == null
                ? scheduler
                : scheduler.withPredictionType(PredictionType.parse(options.predictionType(), "prediction type"));
        Device device = options.device() == null ? Device.cpu() : options.device();
        DataType dtype = dtype(options);
        NDManager target = manager;
        if (!device.equals(Device.cpu())) { // on the CPU the weights were read as dtype already
            target = NDManager.newBaseManager(device);
            textEncoder.to(target, device, dtype);
            unet.to(target, device, dtype);
            vae.to(target, device, dtype);
            manager.close();
        }
        return new StableDiffusionPipeline(target, device, dtype, tokenizer, textEncoder, unet, vae, sched);
    }
}
