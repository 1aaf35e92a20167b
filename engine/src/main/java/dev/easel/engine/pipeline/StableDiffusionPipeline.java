package dev.easel.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.easel.engine.EngineException;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.Configs;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.Module;
import dev.easel.engine.samplers.Sampler;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.engine.weights.ModelSource;
import dev.easel.engine.weights.SafeTensors;
import dev.easel.engine.weights.SingleFileConfigs;
import dev.easel.engine.weights.WeightLoader;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Stable Diffusion 1.x/2.x text-to-image and image-to-image, step for step as diffusers 0.25.1's
 * {@code StableDiffusionPipeline} / {@code StableDiffusionImg2ImgPipeline}: encode prompt → prepare latents →
 * loop (scale input, UNet, CFG, sampler step) → decode. See {@link #generate}.
 *
 * <p>Noise comes from libtorch's global CPU generator seeded with the request's seed, drawn in diffusers' order,
 * so a seed gives diffusers' image on the same weights. Generations are therefore serialised JVM-wide.
 */
public final class StableDiffusionPipeline implements AutoCloseable {

    private static final ReentrantLock RNG_LOCK = new ReentrantLock();

    private final NDManager manager;
    private final Device device;
    private final DataType dtype;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final SchedulerConfig schedulerConfig;
    /** Prompts already warned about, so a sweep of one long prompt warns once, not once per image. */
    private final Set<String> truncationWarned = ConcurrentHashMap.newKeySet();

    public StableDiffusionPipeline(NDManager manager, Device device, DataType dtype, ClipTokenizer tokenizer,
                                   ClipTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
                                   SchedulerConfig schedulerConfig) {
        this.manager = manager;
        this.device = device;
        this.dtype = dtype;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
    }

    /** Loads with {@link LoadOptions#defaults()}. */
    public static StableDiffusionPipeline load(Path path) {
        return load(path, LoadOptions.defaults());
    }

    /**
     * Loads a diffusers folder, a Hugging Face cache folder/snapshot, or a single-file {@code .safetensors}
     * checkpoint. Bad input fails with one {@link EngineException} line naming the file.
     */
    public static StableDiffusionPipeline load(Path path, LoadOptions options) {
        ModelSource src = ModelSource.resolve(path);
        LoadListener listener = options.listener() == null ? LoadListener.NONE : options.listener();
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        boolean ok = false;
        try {
            Init init = Init.empty(manager);
            ClipTokenizer tokenizer;
            ClipTextModel text;
            UNet2DConditionModel unet;
            AutoencoderKL vae;
            SchedulerConfig sched;
            if (!src.singleFile()) {
                Path root = src.root();
                tokenizer = ClipTokenizer.load(root.resolve("tokenizer"));
                sched = Configs.read(root.resolve("scheduler/scheduler_config.json"), SchedulerConfig::fromJson);
                text = new ClipTextModel(init, Configs.read(root.resolve("text_encoder/config.json"),
                        ClipTextModel.Config::fromJson));
                unet = new UNet2DConditionModel(init, Configs.read(root.resolve("unet/config.json"),
                        UNet2DConditionModel.Config::fromJson));
                vae = new AutoencoderKL(init, Configs.read(root.resolve("vae/config.json"),
                        AutoencoderKL.Config::fromJson));
                loadComponent(text, ModelSource.weightsIn(root.resolve("text_encoder"), "model"), null, manager,
                        "text_encoder", listener);
                loadComponent(unet, ModelSource.weightsIn(root.resolve("unet"), "diffusion_pytorch_model"), null,
                        manager, "unet", listener);
                loadComponent(vae, ModelSource.weightsIn(root.resolve("vae"), "diffusion_pytorch_model"), null,
                        manager, "vae", listener);
            } else {
                Path cfg = options.configDir() == null ? null : ModelSource.resolve(options.configDir()).root();
                try (SafeTensors f = SafeTensors.open(src.root())) {
                    if (!f.contains(LdmKeys.UNET + "input_blocks.0.0.weight")) {
                        throw new EngineException(src.root() + ": not a Stable Diffusion checkpoint (missing key "
                                + LdmKeys.UNET + "input_blocks.0.0.weight)");
                    }
                    tokenizer = ClipTokenizer.load(tokenizerDir(cfg, src.root()));
                    sched = cfg != null && Files.exists(cfg.resolve("scheduler/scheduler_config.json"))
                            ? Configs.read(cfg.resolve("scheduler/scheduler_config.json"), SchedulerConfig::fromJson)
                            : SchedulerConfig.sd1();
                    text = new ClipTextModel(init, cfg != null && Files.exists(cfg.resolve("text_encoder/config.json"))
                            ? Configs.read(cfg.resolve("text_encoder/config.json"), ClipTextModel.Config::fromJson)
                            : SingleFileConfigs.text(f));
                    UNet2DConditionModel.Config uc = cfg != null && Files.exists(cfg.resolve("unet/config.json"))
                            ? Configs.read(cfg.resolve("unet/config.json"), UNet2DConditionModel.Config::fromJson)
                            : SingleFileConfigs.unet(f);
                    AutoencoderKL.Config vc = cfg != null && Files.exists(cfg.resolve("vae/config.json"))
                            ? Configs.read(cfg.resolve("vae/config.json"), AutoencoderKL.Config::fromJson)
                            : SingleFileConfigs.vae(f);
                    unet = new UNet2DConditionModel(init, uc);
                    vae = new AutoencoderKL(init, vc);
                    WeightLoader.load(text, f, LdmKeys::text, manager,
                            (d, t) -> listener.onProgress("text_encoder", d, t));
                    WeightLoader.load(unet, f, n -> LdmKeys.unet(n, uc), manager,
                            (d, t) -> listener.onProgress("unet", d, t));
                    WeightLoader.load(vae, f, n -> LdmKeys.vae(n, vc), manager,
                            (d, t) -> listener.onProgress("vae", d, t));
                }
            }
            if (options.predictionType() != null) {
                sched = sched.withPredictionType(options.predictionType());
            }
            Device device = options.device() == null ? Device.cpu() : options.device();
            DataType dtype = options.dtype() == null ? DataType.FLOAT32 : options.dtype();
            NDManager target = manager;
            if (!device.equals(Device.cpu()) || dtype != DataType.FLOAT32) {
                target = NDManager.newBaseManager(device);
                text.to(target, device, dtype);
                unet.to(target, device, dtype);
                vae.to(target, device, dtype);
                manager.close();
            }
            ok = true;
            return new StableDiffusionPipeline(target, device, dtype, tokenizer, text, unet, vae, sched);
        } finally {
            if (!ok) {
                manager.close();
            }
        }
    }

    private static Path tokenizerDir(Path cfg, Path checkpoint) {
        if (cfg != null && Files.exists(cfg.resolve("tokenizer/vocab.json"))) {
            return cfg.resolve("tokenizer");
        }
        Path sibling = checkpoint.toAbsolutePath().getParent().resolve("tokenizer");
        if (Files.exists(sibling.resolve("vocab.json"))) {
            return sibling;
        }
        String hf = System.getenv("HF_HOME");
        Path hub = hf != null ? Path.of(hf, "hub") : Path.of(System.getProperty("user.home"), ".cache", "huggingface",
                "hub");
        for (String repo : new String[] {"models--openai--clip-vit-large-patch14",
                "models--runwayml--stable-diffusion-v1-5"}) {
            Path snaps = hub.resolve(repo).resolve("snapshots");
            if (Files.isDirectory(snaps)) {
                try (var s = Files.list(snaps)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        for (Path d : new Path[] {p, p.resolve("tokenizer")}) {
                            if (Files.exists(d.resolve("vocab.json")) && Files.exists(d.resolve("merges.txt"))) {
                                return d;
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // try the next place
                }
            }
        }
        throw new EngineException(checkpoint + ": a single-file checkpoint has no tokenizer; pass a diffusers folder"
                + " of the same model family as config (--config DIR) or put tokenizer/ next to the file");
    }

    private static void loadComponent(Module model, Path file,
                                      Function<String, String> keys, NDManager manager,
                                      String name, LoadListener listener) {
        try (SafeTensors f = SafeTensors.open(file)) {
            WeightLoader.load(model, f, keys, manager, (d, t) -> listener.onProgress(name, d, t));
        }
    }

    /** The manager that owns the models' weights (and anything that must live as long as they do). */
    public NDManager manager() {
        return manager;
    }

    /**
     * Applies a LoRA file to this pipeline's UNet and text encoder at {@code weight} (the web UIs' {@code <lora:x:0.8>});
     * the returned network changes the weight or takes the LoRA off again.
     */
    public LoraNetwork loadLora(Path file, double weight) {
        return LoraNetwork.load(file, unet, textEncoder, weight, manager);
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    /** Pixels per latent cell: 2^(VAE levels − 1), 8 for Stable Diffusion. */
    public int vaeScaleFactor() {
        return 1 << (vae.config.blockOutChannels().length - 1);
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    public Device device() {
        return device;
    }

    public DataType dtype() {
        return dtype;
    }

    /** Text-to-image. */
    public GenerationResult txt2img(GenerationSettings settings) {
        return generate(settings, null, 0, ProgressListener.NONE, null, null);
    }

    public GenerationResult txt2img(GenerationSettings settings, ProgressListener progress, BooleanSupplier cancel) {
        return generate(settings, null, 0, progress, cancel, null);
    }

    /** Text-to-image with a per-step observer of the raw arrays. */
    public GenerationResult txt2img(GenerationSettings settings, ProgressListener progress, BooleanSupplier cancel,
                                    StepObserver observer) {
        return generate(settings, null, 0, progress, cancel, observer);
    }

    /** Image-to-image: the init image is noised to {@code strength} (0 < strength ≤ 1) and denoised from there. */
    public GenerationResult img2img(GenerationSettings settings, BufferedImage initImage, double strength,
                                    ProgressListener progress, BooleanSupplier cancel) {
        if (initImage == null) {
            throw new EngineException("img2img needs an init image");
        }
        if (settings.initLatents() != null) {
            throw new EngineException("img2img starts from the init image; initial latents are for txt2img");
        }
        if (!(strength > 0 && strength <= 1)) {
            throw new EngineException("strength must be in (0, 1], got " + strength);
        }
        return generate(settings, initImage, strength, progress, cancel, null);
    }

    /** Prompt embeddings [B, 77, D] for a list of prompts (diffusers' {@code encode_prompt}, one side). */
    public NDArray encodePrompts(NDManager scope, List<String> prompts, int clipSkip) {
        long[] ids = new long[prompts.size() * tokenizer.maxLength()];
        for (int i = 0; i < prompts.size(); i++) {
            long[] full = tokenizer.encodeFull(prompts.get(i));
            if (full.length > tokenizer.maxLength()) {
                warnTruncated(prompts.get(i));
            }
            System.arraycopy(tokenizer.fit(full), 0, ids, i * tokenizer.maxLength(), tokenizer.maxLength());
        }
        NDArray idArray = scope.create(ids, new Shape(prompts.size(), tokenizer.maxLength())).toDevice(device, false);
        ClipTextModel.Output out = textEncoder.forward(scope, idArray);
        if (clipSkip <= 0) {
            return out.lastHiddenState();
        }
        List<NDArray> hs = out.hiddenStates();
        if (clipSkip >= hs.size()) {
            throw new EngineException("clip skip " + clipSkip + " is too large for a " + (hs.size() - 1)
                    + "-layer text encoder");
        }
        return textEncoder.finalLayerNorm(scope, hs.get(hs.size() - 1 - clipSkip));
    }

    /** As diffusers warns: CLIP reads {@code maxLength} tokens, and a longer prompt loses its end silently. */
    private void warnTruncated(String prompt) {
        if (truncationWarned.size() >= 1000) {
            truncationWarned.clear();
        }
        if (!truncationWarned.add(prompt)) {
            return;
        }
        String cut = tokenizer.truncatedPart(prompt);
        String shown = cut.length() > 120 ? cut.substring(0, 120) + "…" : cut;
        System.err.println("easel: the text encoder reads " + (tokenizer.maxLength() - 2)
                + " tokens of a prompt; this end of it was cut off: \"" + shown + "\"");
    }

    /** Repeats each row n times consecutively (diffusers' num_images_per_prompt). */
    private static NDArray repeatRows(NDArray a, int n) {
        if (n == 1) {
            return a;
        }
        NDList rows = new NDList();
        for (int i = 0; i < a.getShape().get(0); i++) {
            NDArray r = a.get(i).expandDims(0);
            for (int k = 0; k < n; k++) {
                rows.add(r);
            }
        }
        return NDArrays.concat(rows, 0);
    }

    /** The denoising loop, in diffusers' order. */
    private GenerationResult generate(GenerationSettings s, BufferedImage initImage, double strength,
                                      ProgressListener progress, BooleanSupplier cancel, StepObserver observer) {
        s.validate();
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        long startNanos = System.nanoTime();
        RNG_LOCK.lock();
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager gen = manager.newSubManager(device); NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
            int batch = s.batchSize();
            boolean cfg = s.guidanceScale() > 1.0;

            // 1. encode prompt (clip skip applies to the prompt only, as in diffusers 0.25.1)
            NDArray context = repeatRows(encodePrompts(gen, s.prompts(), s.clipSkip()), s.imagesPerPrompt());
            if (cfg) {
                List<String> neg = new ArrayList<>();
                for (int i = 0; i < s.prompts().size(); i++) {
                    neg.add(s.negativePrompts().isEmpty() ? ""
                            : s.negativePrompts().get(s.negativePrompts().size() == 1 ? 0 : i));
                }
                NDArray uncond = repeatRows(encodePrompts(gen, neg, 0), s.imagesPerPrompt());
                context = NDArrays.concat(new NDList(uncond, context), 0);
            }
            context = context.toType(dtype, false);

            // 2. sampler and timesteps
            SchedulerConfig sc = s.spacing() == null ? schedulerConfig : schedulerConfig.withSpacing(s.spacing());
            Sampler sampler = Samplers.create(s.sampler(), sc, s.eta());
            sampler.setTimesteps(s.steps(), gen);
            double[] timesteps = sampler.timesteps();
            int start = 0;
            if (initImage != null) {
                int initTimestep = Math.min((int) (s.steps() * strength), s.steps());
                start = Math.max(s.steps() - initTimestep, 0) * sampler.order();
                if (start >= timesteps.length) {
                    throw new EngineException("strength " + strength + " with " + s.steps() + " steps leaves no step"
                            + " to run; raise strength or steps");
                }
            }

            // 3. initial latents from the seeded CPU generator (torch.Generator("cpu").manual_seed(seed))
            JniUtils.setSeed(s.seed()); // = torch.manual_seed(seed) (its CPU generator keeps the low 32 bits)
            int f = vaeScaleFactor();
            Shape latentShape = new Shape(batch, unet.config.inChannels(), s.height() / f, s.width() / f);
            if (s.initLatents() != null && !new Shape(s.initLatents().shape()).equals(latentShape)) {
                throw new EngineException("initial latents have shape " + new Shape(s.initLatents().shape())
                        + ", expected " + latentShape + " for " + s.width() + "x" + s.height());
            }
            Sampler.Noise noise = shape -> {
                NDArray r = cpu.randomNormal(shape);
                NDArray d = r.toDevice(device, false);
                if (d != r) {
                    r.close();
                }
                d.attach(gen);
                return d;
            };
            NDArray latents;
            if (initImage == null) {
                NDArray n0 = s.initLatents() != null ? s.initLatents().toArray(cpu).toDevice(device, false)
                        : noise.randn(latentShape);
                n0.attach(gen);
                latents = n0.mul(sampler.initNoiseSigma());
            } else {
                NDArray image = imageTensor(gen, initImage, s.width(), s.height());
                AutoencoderKL.LatentDistribution dist = vae.encode(gen, image.toType(dtype, false));
                NDArray mean = dist.mean().toType(DataType.FLOAT32, false);
                NDArray logvar = dist.logvar().toType(DataType.FLOAT32, false);
                NDArray eps = noise.randn(mean.getShape());
                NDArray sample = new AutoencoderKL.LatentDistribution(mean, logvar).sample(eps)
                        .mul((float) vae.config.scalingFactor());
                NDList copies = new NDList();
                for (int i = 0; i < batch; i++) {
                    copies.add(sample);
                }
                NDArray init = batch == 1 ? sample : NDArrays.concat(copies, 0);
                NDArray n0 = noise.randn(init.getShape());
                latents = sampler.addNoise(init, n0, start);
            }
            latents = latents.toType(DataType.FLOAT32, false);

            // 4. denoising loop
            int total = timesteps.length - start;
            for (int i = start; i < timesteps.length; i++) {
                if (Thread.currentThread().isInterrupted() || (cancel != null && cancel.getAsBoolean())) {
                    Thread.interrupted();
                    throw new CancellationException("generation cancelled after " + (i - start) + " of " + total
                            + " steps");
                }
                try (NDManager step = gen.newSubManager()) {
                    // the step's intermediates (and the old latents) are freed when the step's manager closes
                    latents.attach(step);
                    NDArray x = latents;
                    NDArray in = cfg ? NDArrays.concat(new NDList(x, x), 0) : x;
                    NDArray scaled = sampler.scaleModelInput(in, i).toType(dtype, false);
                    NDArray out = unet.forward(step, scaled, timesteps[i], context).toType(DataType.FLOAT32, false);
                    NDArray guided;
                    if (cfg) {
                        NDList parts = out.split(2, 0);
                        NDArray diff = parts.get(1).sub(parts.get(0));
                        guided = parts.get(0).add(diff.mul((float) s.guidanceScale()));
                    } else {
                        guided = out;
                    }
                    NDArray next = sampler.step(guided, i, latents, noise);
                    next.attach(gen);
                    latents = next;
                    if (observer != null) {
                        observer.onStep(i, timesteps[i], scaled, out, latents);
                    }
                }
                listener.onStep(i - start + 1, total, (System.nanoTime() - startNanos) / 1_000_000);
            }

            // 5. decode
            Latents finalLatents = Latents.of(latents);
            List<BufferedImage> images = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                try (NDManager step = gen.newSubManager()) {
                    NDArray z = latents.get(b).expandDims(0);
                    z.attach(step);
                    NDArray scaledZ = z.div((float) vae.config.scalingFactor()).toType(dtype, false);
                    NDArray raw = vae.decode(step, scaledZ).toType(DataType.FLOAT32, false);
                    images.add(toImage(raw));
                }
            }
            List<Long> seeds = Collections.nCopies(batch, s.seed());
            return new GenerationResult(images, seeds, s, finalLatents, (System.nanoTime() - startNanos) / 1_000_000);
        } finally {
            JniUtils.setGradMode(grad);
            RNG_LOCK.unlock();
        }
    }

    /** Image → [1, 3, H, W] in [-1, 1], resized (bicubic) to the requested size when it differs. */
    public static NDArray imageTensor(NDManager scope, BufferedImage img, int width, int height) {
        BufferedImage src = img;
        if (img.getWidth() != width || img.getHeight() != height || img.getType() != BufferedImage.TYPE_INT_RGB) {
            src = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = src.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(img, 0, 0, width, height, null);
            g.dispose();
        }
        float[] data = new float[3 * width * height];
        int plane = width * height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = src.getRGB(x, y);
                int i = y * width + x;
                data[i] = ((rgb >> 16) & 0xff) / 255f * 2f - 1f;
                data[plane + i] = ((rgb >> 8) & 0xff) / 255f * 2f - 1f;
                data[2 * plane + i] = (rgb & 0xff) / 255f * 2f - 1f;
            }
        }
        return scope.create(data, new Shape(1, 3, height, width));
    }

    /** Decoder output [1, 3, H, W] → RGB image: clamp(x/2 + 0.5, 0, 1), round(·255). */
    public static BufferedImage toImage(NDArray raw) {
        long h = raw.getShape().get(2);
        long w = raw.getShape().get(3);
        float[] v = raw.toFloatArray();
        BufferedImage img = new BufferedImage((int) w, (int) h, BufferedImage.TYPE_INT_RGB);
        int plane = (int) (w * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (int) (y * w + x);
                int r = toByte(v[i]);
                int g = toByte(v[plane + i]);
                int b = toByte(v[2 * plane + i]);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int toByte(float raw) {
        float x = raw / 2f + 0.5f;
        x = Math.max(0f, Math.min(1f, x));
        return (int) Math.rint(x * 255f);
    }

    @Override
    public void close() {
        manager.close();
    }
}
