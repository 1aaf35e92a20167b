package dev.easel;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.Png;
import dev.easel.engine.io.UserPath;
import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.notebook.Outputs;
import dev.easel.notebook.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/**
 * Easel from Java cells — the same things the magics do, typed.
 *
 * <pre>{@code
 * var sd = Easel.load("default");                       // or a diffusers folder / .safetensors file
 * var result = sd.txt2img("a red circle").steps(20).seed(42).run();
 * result.save();                                        // outputs/00000-42.png, with A1111 parameters
 * Easel.pngInfo(Path.of("outputs/00000-42.png"));
 * }</pre>
 */
public final class Easel {

    private Easel() {}

    /** Loads a model on the default device (a GPU when there is one, with fp16; else the CPU with fp32). */
    public static Model load(String pathOrDefault) {
        return load(pathOrDefault, null, null);
    }

    /**
     * Loads a model: {@code "default"}, a diffusers folder (with {@code model_index.json}), a single-file
     * {@code .safetensors} or PyTorch {@code .ckpt} checkpoint, or a DreamBooth run's {@code checkpoint-N} folder. {@code device} is "cpu" or
     * "gpu" and {@code dtype} "fp32" or "fp16" (null: the default for the device). Loading the same file on the same
     * device and dtype again returns the loaded model.
     */
    public static Model load(String pathOrDefault, String device, String dtype) {
        Path path = resolveModelPath(pathOrDefault, Path.of("").toAbsolutePath());
        return load(path, device, dtype, true).model();
    }

    /**
     * As {@link #load(String, String, String)}, with what the UNet predicts: {@code "epsilon"} or
     * {@code "v_prediction"} overriding the model's scheduler config (null: the model's; a lone SD 2.x file is taken
     * as v_prediction unless its global_step says SD 2.x-base). Loading it with another prediction type is another
     * model.
     */
    public static Model load(String pathOrDefault, String device, String dtype, String predictionType) {
        Path path = resolveModelPath(pathOrDefault, Path.of("").toAbsolutePath());
        return load(path, device, dtype, predictionType, true).model();
    }

    /** The model loaded under {@code name} ({@code %load_model --as NAME}). */
    public static Model model(String name) {
        return ModelRegistry.global()
                .byName(name)
                .orElseThrow(() -> new IllegalArgumentException("no model is called " + name + "; loaded: "
                        + ModelRegistry.global().names()));
    }

    /** Every loaded model. */
    public static List<Model> models() {
        return ModelRegistry.global().all();
    }

    /** The folder generated images are saved to. */
    public static Path outputs() {
        return Outputs.folder();
    }

    public static void outputs(Path folder) {
        Outputs.setFolder(folder);
    }

    /** A progress bar for your own long jobs, updated in place (see {@link Progress}). */
    public static Progress progress(String label, long total) {
        return Progress.start(label, total);
    }

    /** The generation parameters saved in a PNG, or an exception when it has none. */
    public static GenerationParameters pngInfo(Path png) {
        String text;
        text = Png.readText(png).get(GenerationParameters.PNG_KEY);
        if (text == null) {
            throw new IllegalArgumentException(png + " has no generation parameters");
        }
        return GenerationParameters.parse(text);
    }

    /**
     * A request that re-makes a saved image (Easel's or AUTOMATIC1111's parameters) — on the loaded model of the name
     * the image names, else the model loaded last: {@code Easel.fromPng(Path.of("out.png")).run()}, or change
     * something first ({@code .seed(7)}). What it cannot repeat is printed, one line each ({@link Model#fromPng}).
     */
    public static Txt2Img fromPng(Path png) {
        GenerationParameters parameters = GenerationParameters.read(png);
        ModelRegistry registry = ModelRegistry.global();
        Model model = registry.all().stream()
                .filter(m -> m.name().equals(parameters.model()))
                .findFirst()
                .or(registry::current)
                .orElseThrow(() -> new IllegalArgumentException(png.getFileName()
                        + " was made with model '" + (parameters.model() == null ? "?" : parameters.model())
                        + "', and no model is loaded; load it first: Easel.load(PATH) or %load_model PATH"
                        + (DefaultModel.isDefault(String.valueOf(parameters.model()))
                                ? ""
                                : " (its folder or" + " .safetensors file)")));
        return model.fromPng(png, parameters);
    }

    /** "default" → the default model's folder; anything else a path relative to {@code base}, which must exist. */
    public static Path resolveModelPath(String pathOrDefault, Path base) {
        if (pathOrDefault == null || pathOrDefault.isBlank() || DefaultModel.isDefault(pathOrDefault)) {
            try {
                return DefaultModel.path();
            } catch (EngineException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        Path path = UserPath.resolve(base, pathOrDefault);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no model at " + path + ": give a diffusers folder (with "
                    + "model_index.json), a .safetensors checkpoint, or 'default'");
        }
        return path;
    }

    /** Loads (or reuses) the model at {@code path}; the pair says whether it was already loaded. */
    public static ModelRegistry.Loaded load(Path path, String device, String dtype, boolean showProgress) {
        return load(path, device, dtype, null, showProgress);
    }

    /** As above, with a prediction type overriding the model's (null: the model's). */
    public static ModelRegistry.Loaded load(
            Path path, String device, String dtype, String predictionType, boolean showProgress) {
        Device chosenDevice = device(device);
        DataType chosenType = dtype(dtype, chosenDevice);
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("no model at " + path + ": " + e.getMessage(), e);
        }
        String deviceName = chosenDevice.isGpu() ? "gpu" + chosenDevice.getDeviceId() : "cpu";
        String typeName = chosenType == DataType.FLOAT16 ? "fp16" : "fp32";
        if (predictionType != null) {
            PredictionType.parse(predictionType, "prediction type"); // a bad name fails before anything loads
        }
        ModelRegistry.Key key = new ModelRegistry.Key(real, deviceName, typeName, predictionType);
        return ModelRegistry.global().getOrLoad(key, () -> {
            String name = modelName(real);
            Progress bar = showProgress ? Progress.start("Loading " + name, 3, "part") : null;
            String[] parts = {"text_encoder", "unet", "vae"};
            LoadOptions options = LoadOptions.cpu()
                    .withDevice(chosenDevice, chosenType)
                    .withPredictionType(predictionType)
                    .withListener((component, done, total) -> {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new CancellationException("loading interrupted");
                        }
                        if (bar != null) {
                            int index = List.of(parts).indexOf(component);
                            bar.message(component + " " + done + "/" + total + " tensors");
                            bar.set(done == total ? index + 1 : Math.max(index, 0));
                        }
                    });
            try {
                Model model = new Model(ModelLoader.load(real, options), name, real);
                if (bar != null) {
                    bar.done(deviceName + ", " + typeName);
                }
                return model;
            } catch (EngineException e) {
                if (bar != null) {
                    bar.stop("failed");
                }
                throw e;
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
        });
    }

    /** The folder name of a diffusers model, the file name (without extension) of a checkpoint. */
    static String modelName(Path real) {
        return ModelLoader.modelName(real);
    }

    private static Device device(String device) {
        int gpus = Engine.getInstance().getGpuCount();
        if (device == null || device.isBlank()) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        return switch (device.strip().toLowerCase(Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException("no GPU is visible to PyTorch here (a CPU build of the natives, "
                            + "or no CUDA device): load on the cpu instead");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("device must be cpu or gpu, got '" + device + "'");
        };
    }

    private static DataType dtype(String dtype, Device device) {
        if (dtype == null || dtype.isBlank()) {
            return device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        }
        return switch (dtype.strip().toLowerCase(Locale.ROOT)) {
            case "fp32", "float32" -> DataType.FLOAT32;
            case "fp16", "float16", "half" -> DataType.FLOAT16;
            default -> throw new IllegalArgumentException("dtype must be fp32 or fp16, got '" + dtype + "'");
        };
    }
}
