package dev.easel.engine.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.Configs;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.Module;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.weights.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A diffusers folder ({@code save_pretrained}'s layout): {@code model_index.json}, and {@code tokenizer/},
 * {@code scheduler/}, {@code text_encoder/}, {@code unet/}, {@code vae/}, each with its config and safetensors file.
 */
public final class DiffusersFolder implements ModelFormat {

    /** The {@code _class_name}s of {@code model_index.json} whose components this engine loads. */
    private static final List<String> SUPPORTED_PIPELINES =
            List.of("StableDiffusionPipeline", "StableDiffusionImg2ImgPipeline", "StableDiffusionInpaintPipeline");

    @Override
    public boolean recognizes(Path path) {
        return Files.isDirectory(path)
                && (Files.exists(path.resolve("model_index.json")) || Files.isDirectory(path.resolve("unet")));
    }

    @Override
    public StableDiffusionPipeline load(Path root, LoadOptions options) {
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        boolean ok = false;
        try {
            Init init = Init.empty(manager);
            ClipTokenizer tokenizer = ClipTokenizer.load(root.resolve("tokenizer"));
            checkPipelineClass(root.resolve("model_index.json"));
            SchedulerConfig sched =
                    Configs.read(root.resolve("scheduler/scheduler_config.json"), SchedulerConfig::fromJson);
            ClipTextModel text = new ClipTextModel(
                    init, Configs.read(root.resolve("text_encoder/config.json"), ClipTextModel.Config::fromJson));
            UNet2DConditionModel unet = new UNet2DConditionModel(
                    init, Configs.read(root.resolve("unet/config.json"), UNet2DConditionModel.Config::fromJson));
            AutoencoderKL vae = new AutoencoderKL(
                    init, Configs.read(root.resolve("vae/config.json"), AutoencoderKL.Config::fromJson));
            PipelineParts.checkMemory(root, options, text, unet, vae);
            loadComponent(text, root.resolve("text_encoder"), "model", manager, options);
            loadComponent(unet, root.resolve("unet"), "diffusion_pytorch_model", manager, options);
            loadComponent(vae, root.resolve("vae"), "diffusion_pytorch_model", manager, options);
            StableDiffusionPipeline pipeline =
                    new PipelineParts(manager, tokenizer, text, unet, vae, sched).toPipeline(options);
            ok = true;
            return pipeline;
        } finally {
            if (!ok) {
                manager.close();
            }
        }
    }

    /**
     * {@code model_index.json} is optional here: each component folder has its own config, which is what is read
     * (diffusers needs the index to pick classes; Easel's classes are fixed). When the index is there it must be
     * valid, and a pipeline class Easel cannot run (SDXL, say) is named instead of failing later on its weights.
     */
    private static void checkPipelineClass(Path index) {
        if (!Files.exists(index)) {
            return;
        }
        String pipeline = Configs.read(index, n -> Configs.text(n, "_class_name", null));
        if (pipeline != null && !SUPPORTED_PIPELINES.contains(pipeline)) {
            throw new EngineException(index + ": \"_class_name\" is " + pipeline + "; Easel runs Stable Diffusion"
                    + " 1.x/2.x models (" + String.join(", ", SUPPORTED_PIPELINES) + ")");
        }
    }

    /**
     * Reads the weights of {@code component} ({@code text_encoder}, {@code unet} or {@code vae}) of the diffusers
     * folder {@code root} into {@code model} again, as {@code dtype} on {@code manager}'s device: tensor by tensor,
     * each array it replaces closed as its successor arrives, so the model is never held twice. For weights that were
     * rounded (a frozen model held in float16 while training) and are wanted back exactly as loaded; {@code progress}
     * hears each tensor.
     */
    public static void reloadComponent(
            Module model, Path root, String component, NDManager manager, DataType dtype, LoadProgress progress) {
        String base = switch (component) {
            case "text_encoder" -> "model";
            case "unet", "vae" -> "diffusion_pytorch_model";
            default -> throw new IllegalArgumentException("not a weight component: " + component);
        };
        loadComponent(
                model,
                root.resolve(component),
                base,
                manager,
                new LoadOptions(manager.getDevice(), dtype, null, null, progress));
    }

    /** Loads the component in {@code folder} (named as the folder) from its weight file. */
    private static void loadComponent(
            Module component, Path folder, String base, NDManager manager, LoadOptions options) {
        try (SafeTensors f = SafeTensors.open(weightsIn(folder, base))) {
            PipelineParts.loadWeights(
                    component, f, null, manager, folder.getFileName().toString(), options);
        }
    }

    /**
     * The weight file of a component folder: {@code <base>.safetensors}, else the {@code <base>.fp16.safetensors}
     * variant (or any {@code *.safetensors}); {@code .bin}-only folders are refused.
     */
    static Path weightsIn(Path componentDir, String base) {
        if (!Files.isDirectory(componentDir)) {
            throw new EngineException(componentDir + ": folder not found");
        }
        Path plain = componentDir.resolve(base + ".safetensors");
        if (Files.exists(plain)) {
            return plain;
        }
        Path fp16 = componentDir.resolve(base + ".fp16.safetensors");
        if (Files.exists(fp16)) {
            return fp16;
        }
        try (Stream<Path> s = Files.list(componentDir)) {
            List<Path> any = s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .sorted()
                    .toList();
            if (!any.isEmpty()) {
                return any.get(0);
            }
        } catch (IOException e) {
            throw new EngineException(componentDir + ": cannot list (" + e.getMessage() + ")");
        }
        if (Files.exists(componentDir.resolve(base + ".bin"))) {
            throw new EngineException(componentDir.resolve(base + ".bin") + ": pickled weights are not loaded;"
                    + " convert them to safetensors (e.g. pipe.save_pretrained(dir, safe_serialization=True))");
        }
        throw new EngineException(componentDir + ": no " + base + ".safetensors");
    }
}
