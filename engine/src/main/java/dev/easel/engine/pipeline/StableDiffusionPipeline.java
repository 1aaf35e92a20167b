package dev.easel.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.embeddings.Embeddings;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.memory.NativeHeap;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.samplers.Sampler;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.torch.Randomness;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Stable Diffusion 1.x/2.x text-to-image and image-to-image, step for step as diffusers 0.25.1's
 * {@code StableDiffusionPipeline} / {@code StableDiffusionImg2ImgPipeline}, in its stages: {@link #checkInputs},
 * {@link #encodePrompt}, {@link #prepareLatents}, {@link #denoise} (the loop: scale input, UNet, CFG, sampler step),
 * {@link #decode}. Loading is {@link dev.easel.engine.loading.ModelLoader}'s.
 *
 * <p>Noise comes from libtorch's global CPU generator seeded with the request's seed, drawn in diffusers' order,
 * so a seed gives diffusers' image on the same weights. Generations therefore hold the generator
 * ({@link Randomness}) from start to end: they are serialised JVM-wide.
 */
public final class StableDiffusionPipeline implements DiffusionPipeline {

    private final NDManager manager;
    private final Device device;
    private final DataType dtype;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    /** The VAE in use: the model's own or one given by {@link #useVae}. */
    private volatile AutoencoderKL vae;

    private final AutoencoderKL ownVae;
    /** The replacement VAE's file and the manager of its weights; null while the model's own is in use. */
    private Path vaePath;

    private NDManager vaeManager;
    private final SchedulerConfig schedulerConfig;
    /** Prompts already warned about, so a sweep of one long prompt warns once, not once per image. */
    private final Set<String> truncationWarned = ConcurrentHashMap.newKeySet();

    private final Embeddings embeddings;
    private final SamplingSpeed samplingSpeed;

    public StableDiffusionPipeline(
            NDManager manager,
            Device device,
            DataType dtype,
            ClipTokenizer tokenizer,
            ClipTextModel textEncoder,
            UNet2DConditionModel unet,
            AutoencoderKL vae,
            SchedulerConfig schedulerConfig) {
        this.manager = manager;
        this.device = device;
        this.dtype = dtype;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.ownVae = vae;
        this.schedulerConfig = schedulerConfig;
        this.embeddings = new Embeddings(tokenizer, textEncoder, manager);
        this.samplingSpeed = new SamplingSpeed(unet.config, vaeScaleFactor(), device);
    }

    /** The manager that owns the models' weights (and anything that must live as long as they do). */
    public NDManager manager() {
        return manager;
    }

    /**
     * Applies a LoRA file to this pipeline's UNet and text encoder at {@code weight} (the web UIs' {@code <lora:x:0.8>});
     * the returned network changes the weight or takes the LoRA off again.
     */
    @Override
    public LoraNetwork loadLora(Path file, double weight) {
        return LoraNetwork.load(file, unet, textEncoder, weight, manager);
    }

    /** The textual-inversion embeddings on this pipeline's tokenizer and text encoder. */
    public Embeddings embeddings() {
        return embeddings;
    }

    @Override
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

    /**
     * Decodes and encodes with another VAE from now on, built by {@code loader} into a manager of its own (see
     * {@code loading.VaeFiles.use}); {@code source} null goes back to the model's own, the same source again is
     * free. When the loader fails the VAE in use stays. Waits for a running generation.
     */
    public void swapVae(Path source, java.util.function.Function<NDManager, AutoencoderKL> loader) {
        // generations hold the generator from start to end: holding it here waits for a running one
        try (Randomness.Held held = Randomness.hold()) {
            if (java.util.Objects.equals(source, vaePath)) {
                return;
            }
            NDManager previous = vaeManager;
            if (source == null) {
                vae = ownVae;
                vaePath = null;
                vaeManager = null;
            } else {
                NDManager m = manager.newSubManager(device);
                try {
                    vae = loader.apply(m);
                } catch (RuntimeException e) {
                    m.close();
                    throw e;
                }
                vaePath = source;
                vaeManager = m;
            }
            if (previous != null) {
                previous.close();
            }
        }
    }

    /** The configuration of the model's own VAE, which a replacement must match in latent channels. */
    public AutoencoderKL.Config ownVaeConfig() {
        return ownVae.config;
    }

    /** The replacement VAE's path given to {@link #swapVae}, or null for the model's own. */
    public Path vaePath() {
        return vaePath;
    }

    /** The replacement VAE's file or folder name (A1111's "VAE: …" parameter), or null for the model's own. */
    public String vaeName() {
        Path p = vaePath;
        return p == null ? null : p.getFileName().toString();
    }

    /** Pixels per latent cell: 2^(VAE levels − 1), 8 for Stable Diffusion. */
    @Override
    public int vaeScaleFactor() {
        return 1 << (vae.config.blockOutChannels().length - 1);
    }

    /**
     * Whether {@code s}'s VAE tiling changes its images on this model's VAE: tiling is on and a VAE pass — the image,
     * or a hires fix's larger one — is larger than one tile (smaller ones are not tiled, so are bit-identical).
     */
    @Override
    public boolean tilesVae(GenerationSettings s) {
        VaeTiling t = s.vaeTiling();
        if (t == null) {
            return false;
        }
        HiresFix h = s.hires();
        return t.tiles(vae.config, s.width(), s.height())
                || h != null && t.tiles(vae.config, h.targetWidth(s.width()), h.targetHeight(s.height()));
    }

    @Override
    public int latentChannels() {
        return unet.config.inChannels();
    }

    @Override
    public int defaultImageSize() {
        return unet.config.sampleSize() * vaeScaleFactor();
    }

    @Override
    public SamplingSpeed samplingSpeed() {
        return samplingSpeed;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public DataType dtype() {
        return dtype;
    }

    @Override
    public GenerationResult txt2img(GenerationSettings settings, StepCallback callback, BooleanSupplier cancel) {
        return generate(settings, null, callback, cancel);
    }

    @Override
    public GenerationResult img2img(
            GenerationSettings settings,
            BufferedImage initImage,
            double strength,
            StepCallback callback,
            BooleanSupplier cancel) {
        return generate(settings, new InitImage(initImage, strength), callback, cancel);
    }

    /**
     * Inpainting, as diffusers' {@code StableDiffusionInpaintPipeline} 0.25.1: the mask's white pixels (≥ 50 % grey)
     * are repainted, the rest kept. An inpainting UNet (9 input channels) sees the latents, the mask and the masked
     * image's latents; any other model repaints by blending its latents with the image's, noised to each step, outside
     * the mask. The same seed gives diffusers' image; the mask is resized to the image size when it differs.
     */
    public GenerationResult inpaint(
            GenerationSettings settings,
            BufferedImage image,
            BufferedImage mask,
            double strength,
            StepCallback callback,
            BooleanSupplier cancel) {
        if (mask == null) {
            throw new EngineException("inpainting needs a mask image (white = repaint)");
        }
        return generate(settings, new InitImage(image, strength, mask), callback, cancel);
    }

    /** img2img's starting point; with a mask, inpainting's. */
    private record InitImage(BufferedImage image, double strength, BufferedImage mask) {
        InitImage(BufferedImage image, double strength) {
            this(image, strength, null);
        }
    }

    /**
     * What inpainting adds to the loop: an inpainting UNet's extra input channels (the latent-size mask and the masked
     * image latents, doubled for guidance, in the models' dtype); for other models the blend's mask [B, 1, h, w], its
     * inverse, the image latents and the initial noise.
     */
    private record Inpainting(NDArray mask, NDArray inverse, NDArray unetExtra, NDArray imageLatents, NDArray noise) {}

    /** diffusers' {@code __call__}: check, encode the prompt, prepare timesteps and latents, denoise, decode. */
    private GenerationResult generate(
            GenerationSettings s, InitImage init, StepCallback callback, BooleanSupplier cancel) {
        checkInputs(s, init);
        long startNanos = System.nanoTime();
        try (Randomness.Held generator = Randomness.hold();
                NoGrad noGrad = new NoGrad();
                NDManager gen = manager.newSubManager(device);
                NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
            Conditioning conditioning = conditioning(gen, s, s.steps(), 0);
            Sampler sampler = sampler(s);
            sampler.setTimesteps(s.steps(), gen);
            int start = init == null ? 0 : firstStep(sampler, s.steps(), init.strength());
            int hiresCalls = s.hires() == null ? 0 : s.hires().steps(s.steps()) * sampler.order();
            Progress progress =
                    new Progress(callback, sampler.timesteps().length - start + hiresCalls, startNanos, samplingSpeed);
            // noise from the seeded CPU generator (torch.Generator("cpu").manual_seed(seed)), drawn in diffusers' order
            Sampler.Noise noise = cpuNoise(cpu, gen);
            NDArray latents;
            Inpainting inpainting = null;
            if (init != null && init.mask() != null) {
                NDArray[] prepared = new NDArray[1];
                inpainting = prepareInpainting(gen, s, sampler, start, init, noise, prepared);
                latents = prepared[0];
            } else {
                latents = prepareLatents(gen, cpu, s, sampler, start, init, noise);
            }
            latents = denoise(
                    gen, s.guidanceScale(), sampler, start, conditioning, latents, noise, inpainting, progress, cancel);
            if (s.hires() != null) {
                latents = hiresPass(gen, s, latents, noise, progress, cancel);
            }
            Latents finalLatents = Latents.of(latents);
            NativeHeap.releaseFreed(); // the UNet's freed activations go back before the decoder's peak
            List<BufferedImage> images = decode(gen, s, latents);
            List<Long> seeds = Collections.nCopies(s.batchSize(), s.seed());
            return new GenerationResult(images, seeds, s, finalLatents, (System.nanoTime() - startNanos) / 1_000_000);
        } finally {
            NativeHeap.releaseFreed(); // the activations just freed, back to the system
        }
    }

    /** Inference without autograd graphs on this thread (grad mode is thread-local), restored when closed. */
    private static final class NoGrad implements AutoCloseable {
        private final boolean before = LibTorch.gradMode();

        NoGrad() {
            LibTorch.setGradMode(false);
        }

        @Override
        public void close() {
            LibTorch.setGradMode(before);
        }
    }

    /** Refuses bad settings before anything runs (diffusers' {@code check_inputs}). */
    private void checkInputs(GenerationSettings s, InitImage init) {
        if (init != null) {
            if (init.image() == null) {
                throw new EngineException("img2img needs an init image");
            }
            if (s.initLatents() != null) {
                throw new EngineException("img2img starts from the init image; initial latents are for txt2img");
            }
            if (!(init.strength() > 0 && init.strength() <= 1)) {
                throw new EngineException("strength must be in (0, 1], got " + init.strength());
            }
        }
        s.validate();
        if (s.vaeTiling() != null) {
            s.vaeTiling().pixelTile(vae.config); // a tile size that does not split evenly, before any work
        }
        Shape latentShape = latentShape(s);
        if (s.initLatents() != null && !new Shape(s.initLatents().shape()).equals(latentShape)) {
            throw new EngineException(
                    "initial latents have shape " + new Shape(s.initLatents().shape()) + ", expected " + latentShape
                            + " for " + s.width() + "x" + s.height());
        }
    }

    private Shape latentShape(GenerationSettings s) {
        int f = vaeScaleFactor();
        return new Shape(s.batchSize(), vae.config.latentChannels(), s.height() / f, s.width() / f);
    }

    /**
     * The prompt embeddings the UNet attends to, [B, 77, D] in the models' dtype, the prompts read literally (plain
     * prompts); with classifier-free guidance the negative prompts' embeddings come first, [2B, 77, D] (diffusers'
     * {@code encode_prompt}). Clip skip applies to the prompt only, as in diffusers 0.25.1.
     */
    @Override
    public NDArray encodePrompt(NDManager scope, GenerationSettings s) {
        NDArray context = repeatRows(encodeText(scope, s.prompts(), s.clipSkip()), s.imagesPerPrompt());
        if (s.guidanceScale() > 1.0) {
            List<String> neg = new ArrayList<>();
            for (int i = 0; i < s.prompts().size(); i++) {
                neg.add(
                        s.negativePrompts().isEmpty()
                                ? ""
                                : s.negativePrompts().get(s.negativePrompts().size() == 1 ? 0 : i));
            }
            NDArray uncond = repeatRows(encodeText(scope, neg, 0), s.imagesPerPrompt());
            context = NDArrays.concat(new NDList(uncond, context), 0);
        }
        return context.toType(dtype, false);
    }

    /**
     * Text embeddings [B, 77, D] for a list of prompts read literally and cut at 77 tokens, from the layer
     * {@code clipSkip} before the last.
     */
    public NDArray encodeText(NDManager scope, List<String> prompts, int clipSkip) {
        long[][] ids = new long[prompts.size()][];
        for (int i = 0; i < prompts.size(); i++) {
            long[] full = tokenizer.encodeFull(prompts.get(i));
            if (full.length > tokenizer.maxLength()) {
                warnTruncated(prompts.get(i));
            }
            ids[i] = tokenizer.fit(full);
        }
        return promptEncoder().hiddenStates(scope, ids, clipSkip);
    }

    /** Text → text-encoder states, literal or with A1111's prompt syntax, chunks and weights. */
    public PromptEncoder promptEncoder() {
        return new PromptEncoder(tokenizer, textEncoder, device);
    }

    /**
     * The prompt side of a pass, per sampler call: plain prompts through {@link #encodePrompt} (diffusers' exact
     * encode_prompt), else A1111's syntax with its schedules over {@code steps} ({@code hiresSteps} for hires fix's
     * second pass).
     */
    private Conditioning conditioning(NDManager gen, GenerationSettings s, int steps, int hiresSteps) {
        if (s.plainPrompt()) {
            NDArray fixed = encodePrompt(gen, s);
            return counter -> fixed;
        }
        List<String> neg = new ArrayList<>();
        for (int i = 0; i < s.prompts().size(); i++) {
            neg.add(
                    s.negativePrompts().isEmpty()
                            ? ""
                            : s.negativePrompts().get(s.negativePrompts().size() == 1 ? 0 : i));
        }
        PromptEncoder.Conditioning c = promptEncoder()
                .conditioning(
                        gen,
                        s.prompts(),
                        s.guidanceScale() > 1.0 ? neg : null,
                        s.imagesPerPrompt(),
                        steps,
                        hiresSteps,
                        s.clipSkip());
        return counter -> c.at(counter, dtype);
    }

    /** The context (negative rows first under guidance) for sampler call {@code counter} of a pass (0-based). */
    @FunctionalInterface
    private interface Conditioning {
        NDArray at(int counter);
    }

    private Sampler sampler(GenerationSettings s) {
        SchedulerConfig sc = s.spacing() == null ? schedulerConfig : schedulerConfig.withSpacing(s.spacing());
        return Samplers.create(s.sampler(), sc, s.eta(), s.schedule());
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
        System.getLogger(StableDiffusionPipeline.class.getName())
                .log(
                        System.Logger.Level.WARNING,
                        "the text encoder reads " + (tokenizer.maxLength() - 2)
                                + " tokens of a prompt; this end of it was" + " cut off: \"" + shown + "\"");
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

    /** img2img's first timestep index: the last {@code strength} of the schedule runs (diffusers' {@code get_timesteps}). */
    private static int firstStep(Sampler sampler, int steps, double strength) {
        int initTimestep = Math.min((int) (steps * strength), steps);
        int start = Math.max(steps - initTimestep, 0) * sampler.order();
        if (start >= sampler.timesteps().length) {
            throw new EngineException("strength " + strength + " with " + steps + " steps leaves no step"
                    + " to run; raise strength or steps");
        }
        return start;
    }

    /** Standard normal noise drawn on the CPU (so a seed gives the same image on every device), moved to ours. */
    private Sampler.Noise cpuNoise(NDManager cpu, NDManager gen) {
        return shape -> {
            NDArray r = cpu.randomNormal(shape);
            NDArray d = r.toDevice(device, false);
            if (d != r) {
                r.close();
            }
            d.attach(gen);
            return d;
        };
    }

    /**
     * The float32 latents the loop starts from (diffusers' {@code prepare_latents}): txt2img's given or drawn noise
     * scaled by the sampler's initial sigma; img2img's encoded image (a sample of its latent distribution) noised to
     * the first step.
     */
    private NDArray prepareLatents(
            NDManager gen,
            NDManager cpu,
            GenerationSettings s,
            Sampler sampler,
            int start,
            InitImage init,
            Sampler.Noise noise) {
        NDArray latents;
        if (init == null) {
            NDArray n0;
            if (s.initLatents() != null) {
                Randomness.reseed(s.seed()); // ancestral samplers still draw their step noise from the seed
                n0 = s.initLatents().toArray(cpu).toDevice(device, false);
            } else {
                n0 = seededNoise(s, noise, latentShape(s));
            }
            n0.attach(gen);
            latents = n0.mul(sampler.initNoiseSigma());
        } else {
            NDArray sub = variationNoise(s, noise, latentShape(s));
            Randomness.reseed(s.seed()); // = torch.manual_seed(seed) (its CPU generator keeps the low 32 bits)
            NDArray image = ImageTensors.toTensor(gen, init.image(), s.width(), s.height());
            NDArray initLatents = repeatRows(encodeImage(gen, s, image, noise), s.batchSize());
            NDArray n0 = Variation.slerp(s.subseedStrength(), noise.randn(initLatents.getShape()), sub);
            latents = sampler.addNoise(initLatents, n0, start);
        }
        return latents.toType(DataType.FLOAT32, false);
    }

    /** The seed's noise of a shape, moved towards the subseed's noise by the subseed strength (A1111). */
    private static NDArray seededNoise(GenerationSettings s, Sampler.Noise noise, Shape shape) {
        NDArray sub = variationNoise(s, noise, shape);
        Randomness.reseed(s.seed()); // = torch.manual_seed(seed) (its CPU generator keeps the low 32 bits)
        return Variation.slerp(s.subseedStrength(), noise.randn(shape), sub);
    }

    /** The subseed's noise of a shape, or null without a variation seed; the caller reseeds with the seed after. */
    private static NDArray variationNoise(GenerationSettings s, Sampler.Noise noise, Shape shape) {
        if (s.subseedStrength() <= 0) {
            return null;
        }
        Randomness.reseed(s.subseed());
        return noise.randn(shape);
    }

    /**
     * VAE encoding of an image tensor (tiled as {@code s} asks), sampled with noise from the generator and scaled:
     * img2img's init latents.
     */
    private NDArray encodeImage(NDManager gen, GenerationSettings s, NDArray image, Sampler.Noise noise) {
        AutoencoderKL.LatentDistribution dist = vae.encode(gen, image.toType(dtype, false), s.vaeTiling());
        NDArray mean = dist.mean().toType(DataType.FLOAT32, false);
        NDArray logvar = dist.logvar().toType(DataType.FLOAT32, false);
        NDArray eps = noise.randn(mean.getShape());
        return new AutoencoderKL.LatentDistribution(mean, logvar).sample(eps).mul((float) vae.config.scalingFactor());
    }

    /**
     * A1111's hires fix: the first pass's latents enlarged (in latent space, or decoded, Lanczos-resampled and
     * encoded again), noised afresh from the seed and denoised at the larger size. As A1111 does, the pass runs
     * exactly the hires steps: the schedule is stretched to steps / strength and its first part skipped.
     */
    private NDArray hiresPass(
            NDManager gen,
            GenerationSettings s,
            NDArray latents,
            Sampler.Noise noise,
            Progress progress,
            BooleanSupplier cancel) {
        HiresFix h = s.hires();
        int width = h.targetWidth(s.width());
        int height = h.targetHeight(s.height());
        int steps = h.steps(s.steps());
        Sampler sampler = sampler(s);
        int stretched = (int) (steps / Math.min(h.denoisingStrength(), 0.999));
        sampler.setTimesteps(stretched, gen);
        int start = Math.min((stretched - steps) * sampler.order(), sampler.timesteps().length - 1);
        int f = vaeScaleFactor();
        Shape shape = new Shape(latents.getShape().get(0), latents.getShape().get(1), height / f, width / f);
        NDArray sub = variationNoise(s, noise, shape);
        Randomness.reseed(s.seed());
        NDArray init;
        if (h.upscaler() == HiresFix.Upscaler.LANCZOS) {
            List<BufferedImage> small = decode(gen, s, latents);
            NDList rows = new NDList();
            for (BufferedImage image : small) {
                NDArray pixels = ImageTensors.toTensor(gen, Lanczos.resize(image, width, height), width, height);
                rows.add(encodeImage(gen, s, pixels, noise));
            }
            init = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
        } else {
            // F.interpolate(mode="bilinear" / "nearest", align_corners=False), as A1111's latent upscalers
            int mode = h.upscaler() == HiresFix.Upscaler.LATENT_NEAREST ? 0 : 1;
            init = latents.getNDArrayInternal().interpolation(new long[] {shape.get(2), shape.get(3)}, mode, false);
            init.attach(gen);
        }
        NDArray x = sampler.addNoise(init, Variation.slerp(s.subseedStrength(), noise.randn(shape), sub), start)
                .toType(DataType.FLOAT32, false);
        return denoise(
                gen,
                s.guidanceScale(),
                sampler,
                start,
                conditioning(gen, s, s.steps(), steps),
                x,
                noise,
                null,
                progress,
                cancel);
    }

    /** Step reports over both passes of a generation, counted in UNet calls; each step's time goes to the speed. */
    private static final class Progress {
        private final StepCallback callback;
        private final int total;
        private final long startNanos;
        private final SamplingSpeed speed;
        private long lastNanos;
        private int done;

        Progress(StepCallback callback, int total, long startNanos, SamplingSpeed speed) {
            this.callback = callback;
            this.total = total;
            this.startNanos = startNanos;
            this.speed = speed;
        }

        void step(int index, double timestep, NDArray modelInput, NDArray modelOutput, NDArray latents) {
            if (done > 0) { // the first step's time includes encoding the prompt and preparing the latents
                speed.record(modelInput.getShape(), System.nanoTime() - lastNanos);
            }
            done++;
            if (callback != null) {
                callback.onStep(new StepCallback.Step(
                        index,
                        timestep,
                        done,
                        Math.max(done, total),
                        (System.nanoTime() - startNanos) / 1_000_000,
                        modelInput,
                        modelOutput,
                        latents));
            }
            lastNanos = System.nanoTime(); // the next step's time starts after the callback
        }
    }

    /**
     * Inpainting's latents (into {@code latents[0]}) and loop inputs, drawing noise in diffusers' order: the image's
     * latent sample (when the blend needs it or strength &lt; 1), the initial noise, then the masked image's sample.
     */
    private Inpainting prepareInpainting(
            NDManager gen,
            GenerationSettings s,
            Sampler sampler,
            int start,
            InitImage init,
            Sampler.Noise noise,
            NDArray[] latents) {
        int channels = unet.config.inChannels();
        int latentChannels = vae.config.latentChannels();
        boolean inpaintingUnet = channels == 2 * latentChannels + 1;
        if (!inpaintingUnet && channels != latentChannels) {
            throw new EngineException("this UNet takes " + channels + " input channels; inpainting needs "
                    + latentChannels + " (any model) or " + (2 * latentChannels + 1) + " (an inpainting model)");
        }
        boolean strengthMax = init.strength() == 1.0;
        int batch = s.batchSize();
        NDArray sub = variationNoise(s, noise, latentShape(s));
        Randomness.reseed(s.seed()); // = torch.manual_seed(seed), as txt2img and img2img draw
        NDArray image = ImageTensors.toTensor(gen, init.image(), s.width(), s.height());
        NDArray mask = ImageTensors.toMask(gen, init.mask(), s.width(), s.height());
        NDArray imageLatents =
                !inpaintingUnet || !strengthMax ? repeatRows(encodeImage(gen, s, image, noise), batch) : null;
        NDArray n0 = Variation.slerp(s.subseedStrength(), noise.randn(latentShape(s)), sub);
        latents[0] = (strengthMax ? n0.mul(sampler.initNoiseSigma()) : sampler.addNoise(imageLatents, n0, start))
                .toType(DataType.FLOAT32, false);
        NDArray keep = mask.lt(0.5f).toType(DataType.FLOAT32, false);
        NDArray maskedImageLatents = repeatRows(encodeImage(gen, s, image.mul(keep), noise), batch);
        int f = vaeScaleFactor();
        // F.interpolate(mask, size=(h/f, w/f)), mode "nearest": the pixel at (f·i, f·j)
        NDArray small = repeatRows(mask.get(new NDIndex(":, :, ::" + f + ", ::" + f)), batch);
        NDArray extra = NDArrays.concat(new NDList(small, maskedImageLatents), 1);
        if (s.guidanceScale() > 1.0) {
            extra = NDArrays.concat(new NDList(extra, extra), 0);
        }
        return new Inpainting(
                small, small.neg().add(1f), inpaintingUnet ? extra.toType(dtype, false) : null, imageLatents, n0);
    }

    /**
     * The denoising loop from timestep index {@code start}: scale the input, run the UNet (twice the batch with
     * classifier-free guidance), guide, step the sampler. Checks for cancellation between steps.
     */
    private NDArray denoise(
            NDManager gen,
            double guidanceScale,
            Sampler sampler,
            int start,
            Conditioning conditioning,
            NDArray latents,
            Sampler.Noise noise,
            Inpainting inpainting,
            Progress progress,
            BooleanSupplier cancel) {
        boolean cfg = guidanceScale > 1.0;
        double[] timesteps = sampler.timesteps();
        int total = timesteps.length - start;
        for (int i = start; i < timesteps.length; i++) {
            if (Thread.currentThread().isInterrupted() || (cancel != null && cancel.getAsBoolean())) {
                Thread.interrupted();
                throw new CancellationException(
                        "generation cancelled after " + (i - start) + " of " + total + " steps");
            }
            try (NDManager step = gen.newSubManager()) {
                // the step's intermediates (and the old latents) are freed when the step's manager closes
                latents.attach(step);
                NDArray in = cfg ? NDArrays.concat(new NDList(latents, latents), 0) : latents;
                NDArray scaled = sampler.scaleModelInput(in, i).toType(dtype, false);
                boolean inpaintingUnet = inpainting != null && inpainting.unetExtra() != null;
                if (inpaintingUnet) {
                    // an inpainting UNet's input: latents, mask, masked image latents
                    scaled = NDArrays.concat(new NDList(scaled, inpainting.unetExtra()), 1);
                }
                NDArray context = conditioning.at(i - start);
                NDArray out = unet.forward(step, scaled, timesteps[i], context).toType(DataType.FLOAT32, false);
                NDArray guided;
                if (cfg) {
                    NDList parts = out.split(2, 0);
                    NDArray diff = parts.get(1).sub(parts.get(0));
                    guided = parts.get(0).add(diff.mul((float) guidanceScale));
                } else {
                    guided = out;
                }
                NDArray next = sampler.step(guided, i, latents, noise);
                if (inpainting != null && !inpaintingUnet) {
                    // keep the image outside the mask: its latents noised to the next step (clean after the last)
                    NDArray kept = i < timesteps.length - 1
                            ? sampler.addNoise(inpainting.imageLatents(), inpainting.noise(), i + 1)
                            : inpainting.imageLatents();
                    NDArray keptPart = kept.mul(inpainting.inverse());
                    keptPart.attach(step);
                    if (kept != inpainting.imageLatents()) {
                        kept.attach(step);
                    }
                    next = next.mul(inpainting.mask()).add(keptPart);
                }
                requireFinite(next, i - start + 1, total);
                next.attach(gen);
                latents = next;
                progress.step(i, timesteps[i], scaled, out, latents);
            }
        }
        return latents;
    }

    /**
     * Fails the generation when the latents stop being numbers: decoded, NaN or infinite latents give an all-black
     * image that would otherwise be saved as if it were a picture. One small reduction per step.
     */
    private static void requireFinite(NDArray latents, int step, int total) {
        boolean finite;
        try (NDArray bad = latents.isNaN().logicalOr(latents.isInfinite());
                NDArray any = bad.any()) {
            finite = !any.getBoolean();
        }
        if (!finite) {
            throw new EngineException("the latents became NaN or infinite at step " + step + " of " + total
                    + "; lower the guidance scale or the LoRA weights, or load the model in float32 (float16"
                    + " overflows sooner)");
        }
    }

    /**
     * Latents → images through the VAE decoder, one image at a time (its activations are the largest), tiled as
     * {@code s} asks.
     */
    private List<BufferedImage> decode(NDManager gen, GenerationSettings s, NDArray latents) {
        List<BufferedImage> images = new ArrayList<>();
        for (int b = 0; b < latents.getShape().get(0); b++) {
            try (NDManager step = gen.newSubManager()) {
                NDArray z = latents.get(b).expandDims(0);
                z.attach(step);
                NDArray scaledZ = z.div((float) vae.config.scalingFactor()).toType(dtype, false);
                NDArray raw = vae.decode(step, scaledZ, s.vaeTiling(), null).toType(DataType.FLOAT32, false);
                images.add(ImageTensors.toImage(raw));
            }
        }
        return images;
    }

    @Override
    public void close() {
        manager.close();
    }
}
