package dev.easel.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.samplers.Sampler;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.samplers.Samplers;
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
    @Override
    public int vaeScaleFactor() {
        return 1 << (vae.config.blockOutChannels().length - 1);
    }

    @Override
    public int latentChannels() {
        return unet.config.inChannels();
    }

    @Override
    public int defaultImageSize() {
        return unet.config.sampleSize() * vaeScaleFactor();
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
    public GenerationResult img2img(GenerationSettings settings, BufferedImage initImage, double strength,
                                    StepCallback callback, BooleanSupplier cancel) {
        return generate(settings, new InitImage(initImage, strength), callback, cancel);
    }

    /** img2img's starting point. */
    private record InitImage(BufferedImage image, double strength) {
    }

    /** diffusers' {@code __call__}: check, encode the prompt, prepare timesteps and latents, denoise, decode. */
    private GenerationResult generate(GenerationSettings s, InitImage init, StepCallback callback,
                                      BooleanSupplier cancel) {
        checkInputs(s, init);
        long startNanos = System.nanoTime();
        try (Randomness.Held generator = Randomness.hold(); NoGrad noGrad = new NoGrad();
             NDManager gen = manager.newSubManager(device); NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
            NDArray context = encodePrompt(gen, s);
            Sampler sampler = Samplers.create(s.sampler(), s.spacing() == null ? schedulerConfig
                    : schedulerConfig.withSpacing(s.spacing()), s.eta());
            sampler.setTimesteps(s.steps(), gen);
            int start = init == null ? 0 : firstStep(sampler, s.steps(), init.strength());
            // noise from the seeded CPU generator (torch.Generator("cpu").manual_seed(seed)), drawn in diffusers' order
            generator.seed(s.seed()); // = torch.manual_seed(seed)
            Sampler.Noise noise = cpuNoise(cpu, gen);
            NDArray latents = prepareLatents(gen, cpu, s, sampler, start, init, noise);
            latents = denoise(gen, s, sampler, start, context, latents, noise, callback, cancel, startNanos);
            Latents finalLatents = Latents.of(latents);
            List<BufferedImage> images = decode(gen, latents);
            List<Long> seeds = Collections.nCopies(s.batchSize(), s.seed());
            return new GenerationResult(images, seeds, s, finalLatents, (System.nanoTime() - startNanos) / 1_000_000);
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
        Shape latentShape = latentShape(s);
        if (s.initLatents() != null && !new Shape(s.initLatents().shape()).equals(latentShape)) {
            throw new EngineException("initial latents have shape " + new Shape(s.initLatents().shape())
                    + ", expected " + latentShape + " for " + s.width() + "x" + s.height());
        }
    }

    private Shape latentShape(GenerationSettings s) {
        int f = vaeScaleFactor();
        return new Shape(s.batchSize(), unet.config.inChannels(), s.height() / f, s.width() / f);
    }

    /**
     * The prompt embeddings the UNet attends to, [B, 77, D] in the models' dtype; with classifier-free guidance the
     * negative prompts' embeddings come first, [2B, 77, D] (diffusers' {@code encode_prompt}). Clip skip applies to
     * the prompt only, as in diffusers 0.25.1.
     */
    @Override
    public NDArray encodePrompt(NDManager scope, GenerationSettings s) {
        NDArray context = repeatRows(encodeText(scope, s.prompts(), s.clipSkip()), s.imagesPerPrompt());
        if (s.guidanceScale() > 1.0) {
            List<String> neg = new ArrayList<>();
            for (int i = 0; i < s.prompts().size(); i++) {
                neg.add(s.negativePrompts().isEmpty() ? ""
                        : s.negativePrompts().get(s.negativePrompts().size() == 1 ? 0 : i));
            }
            NDArray uncond = repeatRows(encodeText(scope, neg, 0), s.imagesPerPrompt());
            context = NDArrays.concat(new NDList(uncond, context), 0);
        }
        return context.toType(dtype, false);
    }

    /** Text embeddings [B, 77, D] for a list of prompts, from the layer {@code clipSkip} before the last. */
    public NDArray encodeText(NDManager scope, List<String> prompts, int clipSkip) {
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
    private NDArray prepareLatents(NDManager gen, NDManager cpu, GenerationSettings s, Sampler sampler, int start,
                                   InitImage init, Sampler.Noise noise) {
        NDArray latents;
        if (init == null) {
            NDArray n0 = s.initLatents() != null ? s.initLatents().toArray(cpu).toDevice(device, false)
                    : noise.randn(latentShape(s));
            n0.attach(gen);
            latents = n0.mul(sampler.initNoiseSigma());
        } else {
            NDArray image = ImageTensors.toTensor(gen, init.image(), s.width(), s.height());
            AutoencoderKL.LatentDistribution dist = vae.encode(gen, image.toType(dtype, false));
            NDArray mean = dist.mean().toType(DataType.FLOAT32, false);
            NDArray logvar = dist.logvar().toType(DataType.FLOAT32, false);
            NDArray eps = noise.randn(mean.getShape());
            NDArray sample = new AutoencoderKL.LatentDistribution(mean, logvar).sample(eps)
                    .mul((float) vae.config.scalingFactor());
            int batch = s.batchSize();
            NDList copies = new NDList();
            for (int i = 0; i < batch; i++) {
                copies.add(sample);
            }
            NDArray initLatents = batch == 1 ? sample : NDArrays.concat(copies, 0);
            NDArray n0 = noise.randn(initLatents.getShape());
            latents = sampler.addNoise(initLatents, n0, start);
        }
        return latents.toType(DataType.FLOAT32, false);
    }

    /**
     * The denoising loop from timestep index {@code start}: scale the input, run the UNet (twice the batch with
     * classifier-free guidance), guide, step the sampler. Checks for cancellation between steps.
     */
    private NDArray denoise(NDManager gen, GenerationSettings s, Sampler sampler, int start, NDArray context,
                            NDArray latents, Sampler.Noise noise, StepCallback callback, BooleanSupplier cancel,
                            long startNanos) {
        boolean cfg = s.guidanceScale() > 1.0;
        double[] timesteps = sampler.timesteps();
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
                NDArray in = cfg ? NDArrays.concat(new NDList(latents, latents), 0) : latents;
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
                if (callback != null) {
                    callback.onStep(new StepCallback.Step(i, timesteps[i], i - start + 1, total,
                            (System.nanoTime() - startNanos) / 1_000_000, scaled, out, latents));
                }
            }
        }
        return latents;
    }

    /** Latents → images through the VAE decoder, one image at a time (its activations are the largest). */
    private List<BufferedImage> decode(NDManager gen, NDArray latents) {
        List<BufferedImage> images = new ArrayList<>();
        for (int b = 0; b < latents.getShape().get(0); b++) {
            try (NDManager step = gen.newSubManager()) {
                NDArray z = latents.get(b).expandDims(0);
                z.attach(step);
                NDArray scaledZ = z.div((float) vae.config.scalingFactor()).toType(dtype, false);
                NDArray raw = vae.decode(step, scaledZ).toType(DataType.FLOAT32, false);
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
