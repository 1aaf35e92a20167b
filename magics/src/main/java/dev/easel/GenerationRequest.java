package dev.easel;

import dev.easel.engine.EngineException;
import dev.easel.engine.community.CommunityFiles;
import dev.easel.engine.io.UserPath;
import dev.easel.engine.loading.VaeFiles;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.options.Suggest;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationLimits;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.HiresFix;
import dev.easel.engine.pipeline.StepCallback;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SigmaSchedule;
import dev.easel.engine.samplers.TimestepSpacing;
import dev.easel.notebook.Progress;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What {@link Txt2Img} and {@link Img2Img} share: the options of a generation, their checks, and the run with a
 * progress bar. Setters return {@code this} so calls chain; {@link #run()} does the work.
 *
 * <p>A batch of N images uses seeds {@code seed, seed+1, …} like AUTOMATIC1111, so each image can be re-made alone
 * from the parameters saved with it.
 */
public abstract sealed class GenerationRequest<SELF extends GenerationRequest<SELF>> permits Txt2Img, Img2Img, Inpaint {

    protected final Model model;
    protected final String prompt;
    private String negative = "";
    /** Null until set: then the model's recommended value, else {@link GenerationDefaults#STANDARD}'s. */
    private Integer steps;

    private Double cfg;
    private String sampler;
    private Long seed;
    private Integer width;
    private Integer height;
    private int batch = 1;
    private int clipSkip = 1;
    private double eta = 0;
    private boolean showProgress = true;
    private Path saveTo;
    private final List<LoraSpec> loras = new ArrayList<>();
    private Path vae;
    private String schedule;
    private long subseed;
    private double subseedStrength;
    private boolean plainPrompt;
    /** A saved image's timestep spacing ({@link Model#fromPng}); null: the model's. */
    private TimestepSpacing spacing;
    /** Txt2Img's second pass; null: none. */
    HiresFix hires;

    private VaeTiling vaeTiling;

    GenerationRequest(Model model, String prompt) {
        this.model = model;
        if (prompt == null) {
            throw new IllegalArgumentException("the prompt is null; pass a text such as \"a red circle\"");
        }
        this.prompt = prompt;
    }

    @SuppressWarnings("unchecked")
    private SELF self() {
        return (SELF) this;
    }

    /** What not to draw. */
    public SELF negative(String text) {
        negative = text == null ? "" : text;
        return self();
    }

    /** Sampling steps, at least 1 (default: the model's recommendation, else 20). */
    public SELF steps(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + n);
        }
        steps = n;
        return self();
    }

    /** Classifier-free guidance scale (default: the model's recommendation, else 7; 1 or less turns guidance off). */
    public SELF cfg(double scale) {
        if (!(scale >= 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("cfg must be a number ≥ 0, got " + scale);
        }
        cfg = scale;
        return self();
    }

    /**
     * A sampler id ({@link #samplers()}) or its web-UI name such as "DPM++ 2M Karras" (default: the model's
     * recommendation, else euler_a).
     */
    public SELF sampler(String idOrName) {
        sampler = checkSampler(idOrName);
        // "DPM++ 2M SDE Karras" is DPM++ 2M SDE with the Karras schedule, unless a schedule was chosen explicitly
        SigmaSchedule named = Samplers.parse(idOrName).schedule();
        if (named != null && Samplers.schedule(schedule) == SigmaSchedule.DEFAULT) {
            schedule = named.id();
        }
        return self();
    }

    /**
     * The sigma schedule of sigma samplers (A1111's "Schedule type"): "default", "karras" or "exponential"
     * (default: the one the sampler's name says, else the sampler's own).
     */
    public SELF schedule(String name) {
        try {
            Samplers.schedule(name);
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        schedule = name;
        return self();
    }

    /**
     * A1111's variation seed: the starting noise moves from the seed's towards {@code subseed}'s by {@code strength}
     * (0 keeps the seed's image, 1 gives the subseed's). A batch uses subseed, subseed+1, … as it uses the seeds.
     */
    public SELF variation(long subseed, double strength) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("subseed strength must be between 0 and 1, got " + strength
                    + " (0 keeps the seed's image, 1 gives the subseed's)");
        }
        if (subseed < 0) {
            throw new IllegalArgumentException("the subseed must be ≥ 0, got " + subseed);
        }
        this.subseed = subseed;
        this.subseedStrength = strength;
        return self();
    }

    /**
     * Reads the prompt literally and cuts it at 77 tokens, as diffusers does (default false: A1111's prompt syntax —
     * {@code (word:1.3)}, {@code [word]}, {@code BREAK}, {@code [cat:dog:0.5]}, {@code [cat|dog]} — at any length).
     */
    public SELF plainPrompt(boolean plain) {
        plainPrompt = plain;
        return self();
    }

    /** The seed of the first image; -1 (the default) draws a random one, as in the web UIs. */
    public SELF seed(long value) {
        if (value < GenerationSettings.RANDOM_SEED) {
            throw new IllegalArgumentException("seed must be ≥ 0, or -1 for a random seed, got " + value);
        }
        seed = value == GenerationSettings.RANDOM_SEED ? null : value;
        return self();
    }

    /** Image size in pixels, multiples of 8 (default: the model's native size, or the init image's). */
    public SELF size(int w, int h) {
        checkSize(w, h);
        width = w;
        height = h;
        return self();
    }

    /** The width alone, a multiple of 8 (null: the default); checked with the height when the request runs. */
    public SELF width(Integer w) {
        width = w;
        return self();
    }

    /** The height alone, a multiple of 8 (null: the default); checked with the width when the request runs. */
    public SELF height(Integer h) {
        height = h;
        return self();
    }

    /** How many images, with seeds seed, seed+1, … (default 1). */
    public SELF batch(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + n);
        }
        batch = n;
        return self();
    }

    /** A1111's "Clip skip": 1 uses the text encoder's last layer (default), 2 the one before, … */
    public SELF clipSkip(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("clip skip must be at least 1 (1 = last layer), got " + n);
        }
        clipSkip = n;
        return self();
    }

    /** DDIM's eta (noise added per step; other samplers ignore it). */
    public SELF eta(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("eta must be a finite number ≥ 0, got " + value);
        }
        eta = value;
        return self();
    }

    /**
     * Applies a LoRA file ({@code .safetensors}, e.g. a {@code %dreambooth --lora-rank} run's
     * {@code pytorch_lora_weights.safetensors}) at {@code weight} — the web UIs' {@code <lora:name:0.8>}. Several
     * stack. The model has it only while this request runs.
     */
    public SELF lora(Path file, double weight) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("LoRA file not found: " + file.toAbsolutePath()
                    + " (a DreamBooth LoRA run writes pytorch_lora_weights.safetensors in its output folder)");
        }
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("the LoRA weight must be a number, got " + weight);
        }
        loras.add(new LoraSpec(file, weight));
        return self();
    }

    /** {@link #lora(Path, double)} with a path as text ({@code ~/…} in the home folder). */
    public SELF lora(String file, double weight) {
        return lora(UserPath.resolve(Path.of("").toAbsolutePath(), file), weight);
    }

    /**
     * Decodes this request's images with another VAE (a diffusers {@code vae/} folder or a {@code .safetensors});
     * the model goes back to its own (or {@link Model#vae(Path)}'s) afterwards.
     */
    public SELF vae(Path path) {
        if (path != null && !Files.exists(path)) {
            throw new IllegalArgumentException("VAE not found: " + path.toAbsolutePath());
        }
        vae = path == null ? null : path.toAbsolutePath();
        return self();
    }

    /**
     * Decodes (and encodes) images larger than one tile of the VAE's sample size tile by tile with blended seams —
     * diffusers' {@code enable_vae_tiling}: memory stays bounded at 1024² and beyond, the pixels change slightly;
     * smaller images are unchanged (default false).
     */
    public SELF vaeTiling(boolean on) {
        vaeTiling = on ? VaeTiling.DEFAULT : null;
        return self();
    }

    /** VAE tiling with tiles of {@code pixels} a side (smaller: less memory, more seams). */
    public SELF vaeTileSize(int pixels) {
        if (pixels < 8 || pixels > GenerationLimits.MAX_SIDE) {
            throw new IllegalArgumentException(
                    "the VAE tile size must be between 8 and " + GenerationLimits.MAX_SIDE + " pixels, got " + pixels);
        }
        vaeTiling = new VaeTiling(pixels);
        return self();
    }

    /** Whether to show a progress bar while sampling (default true). */
    public SELF progress(boolean show) {
        showProgress = show;
        return self();
    }

    /** Also save every image as a PNG with its parameters into {@code dir} (default: don't save). */
    public SELF saveTo(Path dir) {
        saveTo = dir;
        return self();
    }

    /** The sampler ids this engine knows. */
    public static List<String> samplers() {
        return Samplers.all().stream().map(Samplers.Info::id).toList();
    }

    /** The LoRAs {@link #lora} added, in order. */
    List<LoraSpec> loras() {
        return List.copyOf(loras);
    }

    /** The settings of this request's first image, for a sweep to vary; an unset seed is -1 (one random per sweep). */
    GenerationSettings sweepBase() {
        int w = width != null ? width : defaultWidth();
        int h = height != null ? height : defaultHeight();
        checkSize(w, h);
        return settings(seed != null ? seed : GenerationSettings.RANDOM_SEED, 0, w, h);
    }

    /**
     * One image's settings: what was set, the model's recommendations for the rest, then the standard defaults.
     * {@code index} is the image's place in the batch: A1111's batches vary the subseed with the seed.
     */
    private GenerationSettings settings(long imageSeed, int index, int w, int h) {
        GenerationDefaults defaults = model.defaults();
        return GenerationSettings.builder()
                .prompt(prompt)
                .negativePrompt(negative)
                .steps(steps != null ? steps : defaults.steps())
                .guidanceScale(cfg != null ? cfg : defaults.guidanceScale())
                .sampler(sampler != null ? sampler : defaults.sampler())
                .seed(imageSeed)
                .size(w, h)
                .imagesPerPrompt(1)
                .clipSkip(clipSkip - 1)
                .eta(eta)
                .schedule(schedule)
                .variation(subseedStrength > 0 ? subseed + index : subseed, subseedStrength)
                .plainPrompt(plainPrompt)
                .spacing(spacing)
                .hires(hires)
                .vaeTiling(vaeTiling)
                .build();
    }

    /** Takes every setting of {@code s} (a saved image's, {@link Model#fromPng}): one image, as it was made. */
    SELF from(GenerationSettings s) {
        negative(s.negativePrompts().isEmpty() ? "" : s.negativePrompts().get(0));
        steps = s.steps();
        cfg = s.guidanceScale();
        sampler = checkSampler(s.sampler());
        seed = s.seed();
        width = s.width();
        height = s.height();
        clipSkip = s.clipSkip() + 1;
        eta = s.eta();
        schedule = s.schedule();
        subseed = s.subseed();
        subseedStrength = s.subseedStrength();
        plainPrompt = s.plainPrompt();
        spacing = s.spacing();
        hires = s.hires();
        vaeTiling = s.vaeTiling();
        return self();
    }

    /** Makes the images. Interrupting the thread stops within one step ({@link CancellationException}). */
    public Generation run() {
        int w = width != null ? width : defaultWidth();
        int h = height != null ? height : defaultHeight();
        checkSize(w, h);
        long firstSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 32);
        List<BufferedImage> images = new ArrayList<>();
        List<GenerationParameters> parameters = new ArrayList<>();
        long start = System.nanoTime();
        Progress[] bar = new Progress[1];
        List<LoraNetwork> applied = new ArrayList<>();
        String vaeName = null;
        try {
            // LoRAs given and named by <lora:…> tags, embeddings the prompts name, the VAE: one place applies them
            CommunityFiles.Applied community = CommunityFiles.apply(
                    model.stableDiffusion("LoRAs, embeddings and a VAE"),
                    model.source(),
                    GenerationSettings.builder()
                            .prompt(prompt)
                            .negativePrompt(negative)
                            .build(),
                    loras,
                    List.of(),
                    vae,
                    model.loraDir(),
                    model.embeddingsDir());
            applied.addAll(community.loras());
            List<LoraSpec> loraFiles = community.files();
            community.notes().forEach(note -> System.err.println("note: " + note));
            String encoded = community.settings().prompts().get(0);
            String encodedNegative = community.settings().negativePrompts().get(0);
            vaeName = model.stableDiffusion("a replacement VAE").vaeName();
            for (int i = 0; i < batch; i++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("interrupted before image " + (i + 1) + " of " + batch);
                }
                long imageSeed = firstSeed + i;
                int index = i;
                GenerationSettings typed = settings(imageSeed, i, w, h); // as recorded: LoRA tags included
                GenerationSettings settings = typed.toBuilder()
                        .prompts(List.of(encoded))
                        .negativePrompts(List.of(encodedNegative))
                        .build();
                StepCallback listener = step -> {
                    if (showProgress) {
                        if (bar[0] == null) {
                            bar[0] = Progress.start(progressLabel(), (long) step.total() * batch, "it");
                        }
                        bar[0].set((long) index * step.total() + step.done());
                        if (batch > 1) {
                            bar[0].message("image " + (index + 1) + "/" + batch);
                        }
                    }
                };
                GenerationResult result = generate(settings, listener);
                images.addAll(result.images());
                parameters.add(parameters(typed, vaeName, loraFiles)
                        .withVaeTiling(typed, model.pipeline().tilesVae(typed)));
            }
            if (bar[0] != null) {
                bar[0].done();
            }
        } catch (CancellationException e) {
            if (bar[0] != null) {
                bar[0].stop("interrupted");
            }
            throw e;
        } catch (EngineException e) {
            if (bar[0] != null) {
                bar[0].stop("failed");
            }
            throw e;
        } finally {
            applied.forEach(LoraNetwork::remove); // the model is left as it was
            if (vae != null) {
                VaeFiles.use(model.stableDiffusion("a replacement VAE"), model.vae());
            }
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        Generation generation = new Generation(images, parameters, (System.nanoTime() - start) / 1e9);
        if (saveTo != null) {
            generation.save(saveTo);
        }
        return generation;
    }

    /**
     * One image's parameters; {@code vaeName} the replacement VAE's (A1111's "VAE"), null for the model's own;
     * {@code loraFiles} the LoRAs applied, given and named by the prompt's tags.
     */
    private GenerationParameters parameters(GenerationSettings s, String vaeName, List<LoraSpec> loraFiles) {
        GenerationParameters p = GenerationParameters.of(s, 0, model.name()).withModelHash(model.source());
        if (vaeName != null) {
            p = p.with("VAE", vaeName);
        }
        return extra(p.withLoras(loraFiles));
    }

    abstract String progressLabel();

    abstract GenerationResult generate(GenerationSettings settings, StepCallback listener);

    /** Fields only this kind of request writes (e.g. img2img's denoising strength). */
    GenerationParameters extra(GenerationParameters p) {
        return p;
    }

    int defaultWidth() {
        return model.defaultSize();
    }

    int defaultHeight() {
        return model.defaultSize();
    }

    static String checkSampler(String idOrName) {
        try {
            return Samplers.resolve(idOrName);
        } catch (EngineException e) {
            throw new IllegalArgumentException("unknown sampler '" + idOrName + "'"
                    + Suggest.hint(String.valueOf(idOrName), samplers(), "")
                    + " (samplers: " + String.join(", ", samplers()) + ")");
        }
    }

    static void checkSize(int w, int h) {
        try {
            GenerationLimits.checkSize(w, h);
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
