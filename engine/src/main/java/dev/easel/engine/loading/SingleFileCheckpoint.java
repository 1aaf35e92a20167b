package dev.easel.engine.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.Configs;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.engine.weights.OpenClipKeys;
import dev.easel.engine.weights.SingleFileConfigs;
import dev.easel.engine.weights.TensorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A single-file checkpoint in the original (LDM) layout, as the web UIs share them: every component's weights in
 * one file under {@code model.diffusion_model.}, {@code first_stage_model.} and {@code cond_stage_model.}. Configs
 * come from {@link LoadOptions#configDir()} when given, else are inferred from tensor shapes
 * ({@link SingleFileConfigs}); the tokenizer from the config folder, a {@code tokenizer/} folder beside the file, the
 * Hugging Face cache, else the CLIP vocabulary in the jar. SD 2.x files keep their text encoder in OpenCLIP's layout
 * ({@link OpenClipKeys}), read through CLIP names.
 *
 * <p>The tensors are read through {@link TensorFile}: {@code .safetensors} today; another format plugs in at
 * {@link #openTensors}.
 */
public final class SingleFileCheckpoint implements ModelFormat {

    @Override
    public boolean recognizes(Path path) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".bin")) {
            throw new EngineException(path + ": .bin pickles are not loaded; a PyTorch zip checkpoint can be read as"
                    + " .ckpt, or convert it to .safetensors (e.g. safetensors.torch.save_file(torch.load(f), 'model"
                    + ".safetensors'))");
        }
        return name.endsWith(".safetensors") || name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth");
    }

    /** The file's tensors, read by the reader of its format (by content: safetensors or a PyTorch zip). */
    static TensorFile openTensors(Path file) {
        return TensorFile.open(file);
    }

    @Override
    public StableDiffusionPipeline load(Path file, LoadOptions options) {
        Path cfg = options.configDir() == null
                ? null
                : ModelLoader.diffusersFolder(options.configDir())
                        .orElseThrow(
                                () -> new EngineException(
                                        options.configDir() + ": not a diffusers folder (no"
                                                + " model_index.json or unet/); pass the diffusers folder of the same model family as config"));
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        boolean ok = false;
        try (TensorFile opened = openTensors(file);
                TensorFile f = OpenClipKeys.present(opened) ? OpenClipKeys.asClip(opened) : opened) {
            if (!f.contains(LdmKeys.UNET + "input_blocks.0.0.weight")) {
                throw new EngineException(file + ": not a Stable Diffusion checkpoint (missing key " + LdmKeys.UNET
                        + "input_blocks.0.0.weight)");
            }
            Init init = Init.empty(manager);
            SchedulerConfig sched = has(cfg, "scheduler/scheduler_config.json")
                    ? Configs.read(cfg.resolve("scheduler/scheduler_config.json"), SchedulerConfig::fromJson)
                    : SingleFileConfigs.scheduler(opened);
            ClipTextModel.Config tc = has(cfg, "text_encoder/config.json")
                    ? Configs.read(cfg.resolve("text_encoder/config.json"), ClipTextModel.Config::fromJson)
                    : SingleFileConfigs.text(opened);
            boolean sd2 = SingleFileConfigs.sd2(opened);
            Path tokenizerDir = tokenizerDir(cfg, file, sd2);
            ClipTokenizer tokenizer =
                    tokenizerDir != null ? ClipTokenizer.load(tokenizerDir) : bundledTokenizer(file, tc, sd2);
            ClipTextModel text = new ClipTextModel(init, tc);
            UNet2DConditionModel.Config uc = has(cfg, "unet/config.json")
                    ? Configs.read(cfg.resolve("unet/config.json"), UNet2DConditionModel.Config::fromJson)
                    : SingleFileConfigs.unet(opened);
            AutoencoderKL.Config vc = has(cfg, "vae/config.json")
                    ? Configs.read(cfg.resolve("vae/config.json"), AutoencoderKL.Config::fromJson)
                    : SingleFileConfigs.vae(f);
            UNet2DConditionModel unet = new UNet2DConditionModel(init, uc);
            AutoencoderKL vae = new AutoencoderKL(init, vc);
            PipelineParts.checkMemory(file, options, text, unet, vae);
            PipelineParts.loadWeights(text, f, LdmKeys::text, manager, "text_encoder", options);
            PipelineParts.loadWeights(unet, f, n -> LdmKeys.unet(n, uc), manager, "unet", options);
            PipelineParts.loadWeights(vae, f, n -> LdmKeys.vae(n, vc), manager, "vae", options);
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

    private static boolean has(Path configDir, String file) {
        return configDir != null && Files.exists(configDir.resolve(file));
    }

    private static Path tokenizerDir(Path cfg, Path checkpoint, boolean sd2) {
        if (has(cfg, "tokenizer/vocab.json")) {
            return cfg.resolve("tokenizer");
        }
        Path sibling = checkpoint.toAbsolutePath().getParent().resolve("tokenizer");
        if (Files.exists(sibling.resolve("vocab.json"))) {
            return sibling;
        }
        // the same vocabulary either way; the pad token differs (SD 2.x pads with "!")
        List<String> repos = sd2
                ? List.of("stabilityai/stable-diffusion-2-1", "stabilityai/stable-diffusion-2")
                : List.of("openai/clip-vit-large-patch14", "runwayml/stable-diffusion-v1-5");
        return HuggingFaceCache.findInHub(repos, "tokenizer", "vocab.json", "merges.txt")
                .orElse(null);
    }

    /**
     * The CLIP tokenizer shipped in the jar, for a checkpoint whose text encoder has CLIP's 49,408-token vocabulary
     * (SD 1.x's CLIP ViT-L/14; SD 2.x's OpenCLIP, which pads with {@code !}).
     */
    private static ClipTokenizer bundledTokenizer(Path checkpoint, ClipTextModel.Config text, boolean sd2) {
        ClipTokenizer bundled = ClipTokenizer.bundled(sd2 ? ClipTokenizer.SD2_PAD : ClipTokenizer.SD1_PAD);
        if (text.vocabSize() != bundled.vocabularySize()) {
            throw new EngineException(checkpoint + ": its text encoder has " + text.vocabSize() + " tokens, not CLIP's "
                    + bundled.vocabularySize() + ", and no tokenizer was found; pass a diffusers folder of the same"
                    + " model family as config (--config DIR) or put tokenizer/ next to the file");
        }
        return bundled;
    }
}
