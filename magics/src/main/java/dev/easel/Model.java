package dev.easel;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.embeddings.EmbeddingSpec;
import dev.easel.engine.loading.VaeFiles;
import dev.easel.engine.lora.PromptLoras;
import dev.easel.engine.pipeline.DiffusionPipeline;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationLimits;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * A loaded Stable Diffusion model, as notebook cells use it: {@code Easel.load("default")} or
 * {@code %load_model default} gives one (the variable {@code sd} by default).
 *
 * <pre>{@code
 * var result = sd.txt2img("a red circle").steps(20).seed(42).run();
 * var again  = sd.img2img(result.image(), "a blue circle").strength(0.6).run();
 * }</pre>
 *
 * The engine's pipeline is at hand through {@link #pipeline()} for anything the builders don't cover.
 */
public final class Model implements AutoCloseable {

    private final DiffusionPipeline pipeline;
    private final String displayName;
    private final Path source;
    private volatile boolean closed;
    private volatile Path vae;
    private volatile Path loraDir;
    private volatile Path embeddingsDir;
    private volatile GenerationDefaults defaults;

    Model(DiffusionPipeline pipeline, String displayName, Path source) {
        this.pipeline = pipeline;
        this.displayName = displayName;
        this.source = source;
    }

    /** Starts a text-to-image request; set options on it, then {@link Txt2Img#run()}. */
    public Txt2Img txt2img(String prompt) {
        return new Txt2Img(this, prompt);
    }

    /** Starts an image-to-image request from {@code init}. */
    public Img2Img img2img(BufferedImage init, String prompt) {
        return new Img2Img(this, init, prompt);
    }

    /** Image-to-image from an image file. */
    public Img2Img img2img(Path init, String prompt) {
        return new Img2Img(this, read(init), prompt);
    }

    /** Image-to-image from the first image of an earlier result. */
    public Img2Img img2img(Generation init, String prompt) {
        return new Img2Img(this, init.image(), prompt);
    }

    /** Starts an inpainting request: the white part of {@code mask} is repainted towards {@code prompt}. */
    public Inpaint inpaint(BufferedImage image, BufferedImage mask, String prompt) {
        return new Inpaint(this, image, mask, prompt);
    }

    /** Inpainting with an empty prompt (the model fills the masked part from its surroundings). */
    public Inpaint inpaint(BufferedImage image, BufferedImage mask) {
        return new Inpaint(this, image, mask, "");
    }

    /** Inpainting from image files. */
    public Inpaint inpaint(Path image, Path mask, String prompt) {
        return new Inpaint(this, read(image), read(mask), prompt);
    }

    /**
     * A request that re-makes a saved image on this model from its parameters (Easel's or AUTOMATIC1111's): same
     * settings, same seed, same model → the same image. Run it, or change something first
     * ({@code sd.fromPng(path).seed(7).run()}). What of the image this model cannot repeat — fields Easel lacks, an
     * img2img's strength, another model's weights — is printed, one line each, never dropped silently.
     */
    public Txt2Img fromPng(Path png) {
        return fromPng(png, GenerationParameters.read(png));
    }

    Txt2Img fromPng(Path png, GenerationParameters parameters) {
        GenerationParameters.Recipe recipe = parameters.recipe();
        String file = png.getFileName().toString();
        recipe.differences(source, name()).forEach(line -> System.err.println("note: " + file + ": " + line));
        GenerationSettings s = recipe.settings();
        if (s.imagesPerPrompt() > 1) {
            System.err.println("note: " + file + ": image " + (recipe.batchPosition() + 1) + " of a batch of "
                    + s.imagesPerPrompt() + " that shared one generator (the command line's); made alone here it"
                    + " differs — txt2img --from-png re-makes it exactly");
        }
        return txt2img(s.prompts().get(0)).from(s);
    }

    /** A DreamBooth fine-tuning of this model on the images in {@code instanceDir}; see {@link DreamBooth}. */
    public DreamBooth dreambooth(Path instanceDir, String instancePrompt) {
        return new DreamBooth(this, instanceDir, instancePrompt);
    }

    /** An X/Y/Z sweep around {@code prompt} with default settings; see {@link Xyz}. */
    public Xyz xyz(String prompt) {
        return new Xyz(this, txt2img(prompt));
    }

    /** An X/Y/Z sweep around a full base request: {@code sd.xyz(sd.txt2img("…").steps(20).cfg(5))}. */
    public Xyz xyz(Txt2Img base) {
        return new Xyz(this, base);
    }

    /** An X/Y/Z sweep whose prompt comes later ({@code .prompt(…)}). */
    public Xyz xyz() {
        return new Xyz(this, null);
    }

    public String name() {
        return displayName;
    }

    /** The diffusers folder or checkpoint file it was loaded from. */
    public Path source() {
        return source;
    }

    /** {@code cpu} or {@code gpu0}, … */
    public String device() {
        Device device = pipeline.device();
        return device.isGpu() ? "gpu" + device.getDeviceId() : "cpu";
    }

    /** {@code fp32} or {@code fp16}. */
    public String dtype() {
        return pipeline.dtype() == DataType.FLOAT16 ? "fp16" : "fp32";
    }

    /** The size images get when none is asked for, as in diffusers: the UNet's sample size × the VAE's scale. */
    public int defaultSize() {
        return Math.max(8, pipeline.defaultImageSize() / 8 * 8);
    }

    /**
     * What a request uses for the steps, CFG, sampler and strength it does not set: the model's recommended settings
     * ({@code _easel_generation_defaults} in its {@code model_index.json}, e.g. CFG 5 for the default model), else
     * AUTOMATIC1111's 20 steps, CFG 7, Euler a.
     */
    public GenerationDefaults defaults() {
        GenerationDefaults known = defaults;
        if (known == null) {
            known = GenerationDefaults.forModel(source);
            defaults = known;
        }
        return known;
    }

    /** The engine's pipeline, for what the builders don't cover. */
    public DiffusionPipeline pipeline() {
        if (closed) {
            throw new IllegalStateException(
                    "model " + displayName + " was closed; load it again (%load_model, or Easel.load)");
        }
        return pipeline;
    }

    /** The pipeline as Stable Diffusion, for what only it has: VAE swaps, embeddings, inpainting. */
    StableDiffusionPipeline stableDiffusion(String what) {
        if (pipeline() instanceof StableDiffusionPipeline sd) {
            return sd;
        }
        throw new IllegalArgumentException(what + " needs a Stable Diffusion model; " + displayName + " is a "
                + pipeline.getClass().getSimpleName());
    }

    /**
     * Decodes with another VAE from now on: a diffusers {@code vae/} folder or a {@code .safetensors} (diffusers or
     * original names, e.g. {@code vae-ft-mse-840000-ema-pruned.safetensors}); null: the model's own again.
     */
    public Model vae(Path path) {
        try {
            VaeFiles.use(stableDiffusion("a replacement VAE"), path == null ? null : path.toAbsolutePath());
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        vae = path == null ? null : path.toAbsolutePath();
        return this;
    }

    /** The VAE given with {@link #vae(Path)}, or null: the model's own. */
    public Path vae() {
        return vae;
    }

    /**
     * Where {@code <lora:name:0.8>} in a prompt finds {@code name.safetensors}; null: {@code EASEL_LORA_DIR}, else
     * {@code Lora/} or {@code lora/} beside the model.
     */
    public Model loraDir(Path folder) {
        loraDir = folder;
        return this;
    }

    /** The folder {@code <lora:…>} tags are resolved in. */
    public Path loraDir() {
        return PromptLoras.folder(loraDir, source);
    }

    /**
     * The embeddings folder: files whose names appear in a prompt or negative prompt are loaded under that name;
     * null: {@code EASEL_EMBEDDINGS_DIR}, else {@code embeddings/} beside the model.
     */
    public Model embeddingsDir(Path folder) {
        embeddingsDir = folder;
        return this;
    }

    /** The embeddings folder in use. */
    public Path embeddingsDir() {
        return EmbeddingSpec.folder(embeddingsDir, source);
    }

    /**
     * Loads a textual-inversion embedding (A1111 {@code .safetensors} or {@code .pt}, or diffusers'
     * {@code learned_embeds}) under {@code token} (null: the file name, as A1111); it stays until
     * {@link #unloadEmbedding}. Returns the token.
     */
    public String loadEmbedding(Path file, String token) {
        try {
            return stableDiffusion("an embedding").embeddings().load(file.toAbsolutePath(), token);
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Takes an embedding off again: the tokenizer and text encoder are as before it was loaded. */
    public void unloadEmbedding(String token) {
        try {
            stableDiffusion("an embedding").embeddings().unload(token);
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The loaded embeddings' tokens and their vector counts. */
    public java.util.Map<String, Integer> embeddings() {
        return stableDiffusion("an embedding").embeddings().tokens();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Frees the model's memory; it is forgotten by {@code %engine} and {@code --model}. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ModelRegistry.global().remove(this);
            pipeline.close();
        }
    }

    /** An init image from a file; one too large for memory is refused from its header, before decoding. */
    static BufferedImage read(Path file) {
        try {
            return GenerationLimits.readImage(file);
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Model " + displayName + " (" + (closed ? "closed" : device() + ", " + dtype()) + ") from " + source;
    }
}
