package dev.easel.engine.options;

import static dev.easel.engine.options.Option.Surface.COMMAND_LINE;
import static dev.easel.engine.options.Option.Surface.NOTEBOOK;

import dev.easel.engine.dreambooth.DreamBoothSettings;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationLimits;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.HiresFix;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.sweep.AxisType;
import dev.easel.engine.sweep.GridImage;
import dev.easel.engine.sweep.SweepPlan;
import dev.easel.engine.train.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code txt2img}, {@code img2img}, {@code xyz} and {@code dreambooth}, declared once: the command line
 * ({@code easel.jar txt2img --help}) and the magics ({@code %txt2img?}) are both built from these sets, so they take
 * the same names, ranges and defaults and give the same help. An option only one surface has says so
 * ({@link Option#only}): the command line writes files ({@code --out}), a notebook binds variables ({@code --as}).
 *
 * <p>Generation settings the user leaves out have no default here: they come from {@link GenerationDefaults} — the
 * model's recommendation, else the standard values the help names.
 */
public final class CommandOptions {

    private static final GenerationDefaults STANDARD = GenerationDefaults.STANDARD;

    public static final Option MODEL = Option.string(
            "model",
            "NAME|PATH",
            null,
            "the model: a diffusers folder,"
                    + " a .safetensors file or default; in a notebook also a loaded model's name (default there: the one"
                    + " loaded last)");
    public static final Option PROMPT = Option.string(
                    "prompt", "TEXT", null, "what to draw; several make a batch of prompts")
            .repeated()
            .only(COMMAND_LINE);
    public static final Option NEGATIVE = Option.string(
                    "negative",
                    "TEXT",
                    "",
                    "what not to draw (on the command line: one for all prompts, or one per prompt)")
            .repeated();
    public static final Option STEPS = Option.integer(
                    "steps", "N", null, "sampling steps (default: the model's, else " + STANDARD.steps() + ")")
            .min(1)
            .max(1000);
    public static final Option CFG = Option.floating(
                    "cfg",
                    "F",
                    null,
                    "classifier-free guidance scale, ≤ 1: off" + " (default: the model's, else "
                            + Option.fmt(STANDARD.guidanceScale()) + ")")
            .min(0)
            .max(100);
    public static final Option SAMPLER = Option.string(
            "sampler",
            "ID",
            null,
            "sampler id or A1111 name (default:" + " the model's, else " + STANDARD.sampler() + "): "
                    + samplerListing());
    public static final Option SEED = Option.longInteger(
                    "seed",
                    "N",
                    null,
                    "seed of the first image; -1 or none: random (the seed used is saved with the image)")
            .min(-1);
    public static final Option SIZE = Option.size(
            "size", null, "image size WxH, multiples of 8 (default: the model's; img2img: the init image's)");
    public static final Option WIDTH =
            Option.integer("width", "W", null, "image width, as --size").min(8);
    public static final Option HEIGHT =
            Option.integer("height", "H", null, "image height, as --size").min(8);
    public static final Option BATCH = Option.integer("batch", "N", 1, "images per prompt, seeds seed, seed+1, …")
            .min(1)
            .max(64);
    public static final Option CLIP_SKIP = Option.integer(
                    "clip-skip", "N", 1, "A1111's clip skip: 1 = the text encoder's last layer, 2 = the one before")
            .min(1);
    public static final Option ETA =
            Option.floating("eta", "F", 0.0, "DDIM eta (noise per step)").min(0).max(1);
    public static final Option LORA = Option.string(
                    "lora",
                    "FILE[:WEIGHT]",
                    null,
                    "apply a LoRA at a weight (default 1); several: repeat it or FILE:W,FILE:W")
            .repeated();
    public static final Option LORA_DIR = Option.string(
                    "lora-dir",
                    "DIR",
                    null,
                    "where <lora:NAME:W> prompt tags"
                            + " look (default: EASEL_LORA_DIR, else Lora/ or lora/ beside the model; in a notebook:"
                            + " %load_model --lora-dir)")
            .only(COMMAND_LINE);
    public static final Option EMBEDDING = Option.string(
                    "embedding",
                    "FILE[:TOKEN]",
                    null,
                    "load a textual-inversion"
                            + " embedding (A1111 .safetensors / .pt or diffusers' learned_embeds; token default: the file's name;"
                            + " in a notebook: %load_embedding)")
            .repeated()
            .only(COMMAND_LINE);
    public static final Option EMBEDDINGS_DIR = Option.string(
                    "embeddings-dir",
                    "DIR",
                    null,
                    "embeddings a prompt"
                            + " names by file name are loaded from here (default: EASEL_EMBEDDINGS_DIR, else embeddings/ beside the"
                            + " model; in a notebook: %load_model --embeddings-dir)")
            .only(COMMAND_LINE);
    public static final Option VAE = Option.string(
            "vae",
            "PATH",
            null,
            "a replacement VAE: a diffusers vae/ folder"
                    + " or a .safetensors file (diffusers, bare LDM or checkpoint names)");
    public static final Option INIT_IMAGE = Option.string(
                    "init-image",
                    "FILE",
                    null,
                    "the image to start from (in a notebook also a variable holding an image or a result)")
            .alias("init");
    public static final Option STRENGTH = Option.floating(
                    "strength",
                    "F",
                    null,
                    "how much to change the init image:" + " near 0 keeps it, 1 redraws it (default: the model's, else "
                            + Option.fmt(STANDARD.strength()) + ")")
            .min(0)
            .max(1);
    public static final Option SPACING = Option.choice(
                    "spacing",
                    List.of("leading", "linspace", "trailing"),
                    null,
                    "timestep spacing (default: the sampler's)")
            .only(COMMAND_LINE);
    public static final Option INIT_LATENTS = Option.string(
                    "init-latents", "FILE.npy", null, "initial latents instead of seeded noise")
            .only(COMMAND_LINE);
    public static final Option SAVE_LATENTS = Option.string(
                    "save-latents", "FILE.npy", null, "also write the final latents")
            .only(COMMAND_LINE);
    public static final Option CONFIG = Option.string(
                    "config", "DIR", null, "component configs for a single-file checkpoint")
            .only(COMMAND_LINE);
    /** What the UNet predicts; a model's load option (%load_model in a notebook, LoadOptions in Java). */
    public static final Option PREDICTION_TYPE = Option.choice(
            "prediction-type",
            List.of("epsilon", "v_prediction"),
            null,
            "what the UNet predicts, overriding the model's scheduler config (a lone SD 2.x"
                    + " file is taken as v_prediction unless its global_step is 875000, SD 2.x-base: epsilon)");

    /** The weights' type; a model's load option (%load_model in a notebook, LoadOptions in Java). */
    public static final Option DTYPE = Option.choice(
            "dtype",
            List.of("fp32", "fp16"),
            null,
            "weights precision (default: fp16 on a GPU, fp32 on a CPU, where float16 is much slower)");

    public static final Option DEVICE = Option.choice(
                    "device", List.of("cpu", "gpu"), null, "where to run (default: a GPU when there is one)")
            .only(COMMAND_LINE);
    public static final Option OUT = Option.string(
                    "out",
                    "FILE",
                    null,
                    "where the image goes: .png, or .jpg/.jpeg (several images: FILE-0, FILE-1, …)")
            .only(COMMAND_LINE);
    public static final Option NO_SAVE = Option.flag(
                    "no-save", "don't save the images as PNG in the outputs folder (%outputs)")
            .only(NOTEBOOK);

    public static final Option MASK = Option.string(
            "mask",
            "FILE",
            null,
            "the mask: white is repainted, black kept" + " (in a notebook also a variable holding an image)");
    public static final Option MASK_BLUR = Option.integer(
                    "mask-blur",
                    "PX",
                    4,
                    "blur radius of the mask the result is pasted back with, so the seam fades (0: a hard edge)")
            .min(0);
    public static final Option INPAINT_AREA = Option.choice(
            "inpaint-area",
            List.of("whole", "masked"),
            "whole",
            "whole: generate the whole picture; masked: the masked area plus --padding, at full size, pasted back");
    public static final Option PADDING = Option.integer(
                    "padding", "PX", 32, "pixels around the masked area with --inpaint-area masked")
            .min(0);
    public static final Option INVERT_MASK = Option.flag("invert-mask", "repaint the black pixels, not the white");
    public static final Option LORA_FORMAT = Option.choice(
            "lora-format",
            List.of("diffusers", "kohya"),
            "diffusers",
            "layout of the saved LoRA: diffusers' (PEFT) or Kohya's (A1111, ComfyUI)");
    /** A1111's "Schedule type" for sigma samplers. */
    public static final Option SCHEDULE = Option.choice(
            "schedule",
            List.of("default", "karras", "exponential"),
            null,
            "sigma schedule of sigma samplers (A1111's Schedule type; \"Euler Karras\" as a sampler name works too)");

    public static final Option SUBSEED = Option.longInteger(
                    "subseed", "N", null, "variation seed (A1111's Variation seed)")
            .min(0);
    public static final Option SUBSEED_STRENGTH = Option.floating(
                    "subseed-strength",
                    "F",
                    null,
                    "how far towards the variation seed's image, 0…1 (default 1 with --subseed)")
            .min(0)
            .max(1);
    public static final Option PLAIN_PROMPT = Option.flag(
            "plain-prompt",
            "read the prompt literally, cut at 77 tokens"
                    + " (diffusers); default: A1111's (word:1.3) [word] BREAK [a:b:0.5] [a|b], any length");
    public static final Option HIRES =
            Option.flag("hires", "hires fix: upscale the first pass, then img2img at the larger size");
    public static final Option HR_UPSCALER = Option.choice(
            "hr-upscaler",
            List.of("latent", "latent-nearest", "lanczos"),
            "latent",
            "how hires fix enlarges the first pass");
    public static final Option HR_SCALE = Option.floating("hr-scale", "F", 2.0, "hires size as a factor of the size")
            .min(1)
            .max(8);
    public static final Option HR_SIZE =
            Option.size("hr-size", null, "hires size WxH, multiples of 8 (instead of --hr-scale)");
    public static final Option HR_STEPS = Option.integer("hr-steps", "N", 0, "hires steps (0: as many as --steps)")
            .min(0)
            .max(1000);
    public static final Option DENOISING_STRENGTH = Option.floating(
                    "denoising-strength", "F", HiresFix.DEFAULT_DENOISING, "how much the hires pass redraws, (0, 1]")
            .min(0)
            .max(1);

    /** Re-make a saved image: its parameters are the settings, the options given with it override them. */
    public static final Option FROM_PNG = Option.string(
                    "from-png",
                    "FILE.png",
                    null,
                    "re-make the image of a PNG"
                            + " (or JPEG) saved by Easel or AUTOMATIC1111 from its parameters; options given too override them, fields"
                            + " Easel lacks are named; --model and --prompt are then optional (in a notebook: %png_info FILE --run)")
            .only(COMMAND_LINE);

    public static final Option VAE_TILING = Option.flag(
            "vae-tiling",
            "decode (and encode) images larger than one"
                    + " tile tile by tile with blended seams, as diffusers' enable_vae_tiling: memory stays bounded at 1024"
                    + " pixels and beyond, the pixels change slightly");
    public static final Option VAE_TILE_SIZE = Option.integer(
                    "vae-tile-size",
                    "PX",
                    null,
                    "tile side with"
                            + " --vae-tiling (default: the VAE's sample size, 512 for SD 1.x); smaller: less memory, more seams")
            .min(8)
            .max(GenerationLimits.MAX_SIDE);

    /** txt2img. */
    public static final OptionSet TXT2IMG = OptionSet.of(
            MODEL,
            PROMPT,
            NEGATIVE,
            STEPS,
            CFG,
            SAMPLER,
            SEED,
            SIZE,
            WIDTH,
            HEIGHT,
            BATCH,
            CLIP_SKIP,
            ETA,
            LORA,
            LORA_DIR,
            EMBEDDING,
            EMBEDDINGS_DIR,
            VAE,
            SPACING,
            INIT_LATENTS,
            SAVE_LATENTS,
            CONFIG,
            PREDICTION_TYPE.only(COMMAND_LINE),
            DEVICE,
            DTYPE.only(COMMAND_LINE),
            OUT,
            NO_SAVE,
            SCHEDULE,
            SUBSEED,
            SUBSEED_STRENGTH,
            PLAIN_PROMPT,
            HIRES,
            HR_UPSCALER,
            HR_SCALE,
            HR_SIZE,
            HR_STEPS,
            DENOISING_STRENGTH,
            FROM_PNG,
            VAE_TILING,
            VAE_TILE_SIZE);

    /** img2img: txt2img's options with an init image and a strength instead of initial latents. */
    public static final OptionSet IMG2IMG = TXT2IMG.without(
                    "init-latents",
                    "hires",
                    "hr-upscaler",
                    "hr-scale",
                    "hr-size",
                    "hr-steps",
                    "denoising-strength",
                    "from-png")
            .plus(INIT_IMAGE, STRENGTH);

    /**
     * inpaint: img2img's options with a mask and A1111's extras; the strength defaults to 1 (the masked part redrawn),
     * as diffusers' inpainting pipeline does.
     */
    public static final OptionSet INPAINT = IMG2IMG.plus(
            STRENGTH.withHelp("how much to change the masked part: near 0" + " keeps it, 1 redraws it (default 1)"),
            MASK,
            MASK_BLUR,
            INPAINT_AREA,
            PADDING,
            INVERT_MASK);

    /** xyz: a sweep around one base generation. */
    public static final OptionSet XYZ = OptionSet.of(
            Option.string("x", "SPEC", null, "X axis, TYPE:VALUES, e.g. \"steps:10,20,30\""),
            Option.string("y", "SPEC", null, "Y axis, e.g. \"cfg:3-9 [4]\""),
            Option.string("z", "SPEC", null, "Z axis, e.g. \"sampler:euler,ddim\""),
            MODEL,
            PROMPT.only(COMMAND_LINE),
            NEGATIVE,
            STEPS,
            CFG,
            SAMPLER,
            SEED.withHelp("base seed; -1 or none: one random seed for the sweep"),
            SIZE,
            WIDTH,
            HEIGHT,
            CLIP_SKIP,
            ETA,
            LORA.withHelp("a LoRA on every image (weigh it with a lora_weight axis)"),
            INIT_IMAGE.withHelp("an init image: makes it an img2img sweep (sweep its strength with a strength axis)"),
            STRENGTH,
            SCHEDULE,
            SUBSEED,
            SUBSEED_STRENGTH,
            PLAIN_PROMPT,
            HIRES,
            HR_UPSCALER,
            HR_SCALE,
            HR_SIZE,
            HR_STEPS,
            DENOISING_STRENGTH,
            VAE_TILING,
            VAE_TILE_SIZE,
            Option.integer("margin", "PX", 0, "pixels between tiles").min(0),
            Option.flag("legend", "a line under the grid with prompt, seed and model"),
            Option.floating(
                            "max-megapixels",
                            "F",
                            GridImage.Options.DEFAULT.maxMegapixels(),
                            "refuse grids larger than this")
                    .min(0.001),
            Option.flag(
                    "yes",
                    "run a sweep of more than " + SweepPlan.CONFIRM_ABOVE + " images (the count, the"
                            + " work and an estimated time are said first)"),
            Option.string("out", "FILE.png", null, "the grid; the cell images go to a folder beside it")
                    .only(COMMAND_LINE),
            Option.string("table", "FILE.csv", null, "the results table as CSV").only(COMMAND_LINE),
            Option.string("as", "NAME", "sweep", "the Java variable that gets the result")
                    .only(NOTEBOOK));

    /** dreambooth: fine-tuning on a few images of a subject. */
    public static final OptionSet DREAMBOOTH = OptionSet.of(
            Option.string("instance-dir", "DIR", null, "folder with 3-20 images of the subject"),
            Option.string("instance-prompt", "TEXT", null, "e.g. \"a photo of sks dog\""),
            Option.string("class-prompt", "TEXT", null, "prior preservation: e.g. \"a photo of dog\""),
            Option.string("class-dir", "DIR", null, "class images (generated when fewer than needed)"),
            Option.integer("num-class-images", "N", 100, "class images to use").min(1),
            Option.floating("prior-loss-weight", "F", 1.0, "weight of the class-image loss")
                    .min(0),
            Option.integer("steps", "N", 400, "max train steps").min(1),
            Option.floating("lr", "F", 5e-6, "learning rate").min(0),
            Option.choice(
                    "lr-scheduler",
                    Arrays.stream(LearningRateSchedule.Kind.values())
                            .map(LearningRateSchedule.Kind::id)
                            .toList(),
                    "constant",
                    "learning-rate schedule"),
            Option.integer("warmup", "N", 0, "warmup steps").min(0),
            Option.integer("batch", "N", 1, "train batch size").min(1),
            Option.integer("grad-accum", "N", 1, "gradient accumulation steps").min(1),
            Option.flag("train-text-encoder", "train the text encoder too"),
            Option.integer("lora-rank", "R", null, "train LoRA adapters of this rank, not every weight")
                    .min(1),
            Option.floating("lora-alpha", "A", 0.0, "LoRA alpha (default: the rank)")
                    .min(0),
            LORA_FORMAT,
            Option.flag("flip", "random horizontal flips"),
            Option.floating("max-grad-norm", "F", 1.0, "global gradient norm limit")
                    .min(0),
            Option.floating("offset-noise", "F", 0.0, "offset noise").min(0),
            Option.floating("snr-gamma", "F", 0.0, "min-SNR weighting gamma (0: off)")
                    .min(0),
            Option.choice(
                    "mixed-precision",
                    DreamBoothSettings.MIXED_PRECISION,
                    "no",
                    "compute in float16 with float32 master weights (for a GPU)"),
            Option.flag(
                    "gradient-checkpointing",
                    "recompute the UNet's block activations in the backward pass instead"
                            + " of keeping them: less memory, more time per step (each block runs twice)"),
            Option.string("validation-prompt", "TEXT", null, "shown every --validation-every steps"),
            Option.integer("validation-every", "N", 100, "steps between validation images")
                    .min(1),
            Option.integer("checkpoint-every", "N", 500, "steps between checkpoints")
                    .min(1),
            Option.integer("keep", "K", 3, "checkpoints to keep").min(1),
            Option.string("output", "DIR", "dreambooth-model", "the run's folder"),
            Option.string(
                    "resume",
                    "DIR",
                    null,
                    "continue from a checkpoint, or the latest one of a run (its --output folder)"),
            Option.flag(
                    "override",
                    "with --resume: go on even if the seed, learning rate or schedule differ from the"
                            + " checkpoint's (the run is then no longer exact)"),
            Option.longInteger("seed", "N", 0L, "seed").min(0),
            MODEL.withHelp("the model to fine-tune: a diffusers folder or default; in a notebook also a loaded"
                    + " model's name (default there: the one loaded last)"),
            Option.string("as", "NAME", "sd_db", "the Java variable that gets the trained model")
                    .only(NOTEBOOK));

    private CommandOptions() {}

    /** The size asked for with {@code --size} or {@code --width}/{@code --height}; a side not given is null. */
    public record RequestedSize(Integer width, Integer height) {

        public boolean given() {
            return width != null || height != null;
        }

        /** The size, the model's (or init image's) {@code fallback} for a side not given; checked. */
        public int[] or(int fallbackWidth, int fallbackHeight) {
            int w = width != null ? width : fallbackWidth;
            int h = height != null ? height : fallbackHeight;
            GenerationLimits.checkSize(w, h);
            return new int[] {w, h};
        }
    }

    /**
     * A settings builder from the model's {@code defaults} with the generation options the user gave: steps, CFG,
     * sampler, seed (-1 or none: random), clip skip (A1111's counting), eta, and where the set declares them the
     * schedule, variation seed, plain prompts and hires fix.
     */
    public static GenerationSettings.Builder settings(OptionValues values, GenerationDefaults defaults) {
        GenerationSettings.Builder b = defaults.builder().seed(GenerationSettings.RANDOM_SEED);
        override(values, b);
        b.hires(hires(values, null));
        return b;
    }

    /**
     * The settings a saved image's parameters give ({@code --from-png}) with the options the user wrote over them:
     * only what was written changes (the seed too, {@code --seed -1} drawing a new one); hires options adjust the
     * image's hires fix.
     */
    public static GenerationSettings.Builder settings(OptionValues values, GenerationSettings saved) {
        GenerationSettings.Builder b = saved.toBuilder();
        override(values, b);
        b.hires(hires(values, saved.hires()));
        return b;
    }

    /** The generation options the user wrote, onto {@code b}. */
    private static void override(OptionValues values, GenerationSettings.Builder b) {
        if (values.longInteger("seed") != null) {
            b.seed(values.longInteger("seed"));
        }
        if (values.given("clip-skip")) {
            b.clipSkip(values.integer("clip-skip") - 1);
        }
        if (values.given("eta")) {
            b.eta(values.number("eta"));
        }
        if (values.integer("steps") != null) {
            b.steps(values.integer("steps"));
        }
        if (values.number("cfg") != null) {
            b.guidanceScale(values.number("cfg"));
        }
        if (values.string("sampler") != null) {
            b.sampler(values.string("sampler"));
        }
        if (values.declares("vae-tiling") && (values.given("vae-tiling") || values.given("vae-tile-size"))) {
            b.vaeTiling(vaeTiling(values));
        }
        if (!values.declares("schedule")) {
            return; // an option set without them (dreambooth's sample settings)
        }
        if (values.given("schedule")) {
            b.schedule(values.string("schedule"));
        }
        if (values.given("subseed") || values.given("subseed-strength")) {
            b.variation(
                    values.longInteger("subseed") == null ? 0 : values.longInteger("subseed"),
                    values.number("subseed-strength") == null ? 1.0 : values.number("subseed-strength"));
        }
        if (values.given("plain-prompt")) {
            b.plainPrompt(values.flag("plain-prompt"));
        }
    }

    /**
     * The VAE tiling {@code --vae-tiling} and {@code --vae-tile-size} ask for, or null for none.
     *
     * @throws OptionException a tile size without {@code --vae-tiling}
     */
    public static VaeTiling vaeTiling(OptionValues values) {
        Integer tile = values.integer("vae-tile-size");
        if (!values.flag("vae-tiling")) {
            if (tile != null) {
                throw new OptionException("--vae-tile-size is the tile size of VAE tiling; add --vae-tiling");
            }
            return null;
        }
        return tile == null ? VaeTiling.DEFAULT : new VaeTiling(tile);
    }

    /**
     * The hires fix the options ask for over {@code base} (a saved image's, or null): {@code --hires} with its
     * {@code --hr-…} options and {@code --denoising-strength}, each left out taking base's value, else A1111's
     * default. Null when there is none; the hires options without {@code --hires} (and without a base) are an error
     * that says to add it.
     */
    public static HiresFix hires(OptionValues values, HiresFix base) {
        if (!values.declares("hires")) {
            return base; // img2img: no hires pass
        }
        boolean hiresOption = List.of("hr-upscaler", "hr-scale", "hr-size", "hr-steps", "denoising-strength").stream()
                .anyMatch(values::given);
        if (!values.given("hires") && base == null) {
            if (hiresOption) {
                throw new OptionException(
                        "the --hr-… options and --denoising-strength belong to hires fix; add" + " --hires");
            }
            return null;
        }
        if (values.given("hr-size") && values.given("hr-scale")) {
            throw new OptionException("give --hr-scale or --hr-size, not both");
        }
        HiresFix.Upscaler upscaler = values.given("hr-upscaler") || base == null
                ? HiresFix.Upscaler.parse(values.string("hr-upscaler"))
                : base.upscaler();
        int steps = values.given("hr-steps") || base == null ? values.integer("hr-steps") : base.steps();
        double denoising = values.given("denoising-strength") || base == null
                ? values.number("denoising-strength")
                : base.denoisingStrength();
        Option.Size size = values.size("hr-size");
        if (size != null) {
            return HiresFix.toSize(upscaler, size.width(), size.height(), steps, denoising);
        }
        if (values.given("hr-scale") || base == null) {
            return HiresFix.byScale(upscaler, values.number("hr-scale"), steps, denoising);
        }
        return new HiresFix(upscaler, base.scale(), base.width(), base.height(), steps, denoising);
    }

    /** Reads {@code --size WxH} or {@code --width}/{@code --height} (not both ways at once). */
    public static RequestedSize size(OptionValues values) {
        Option.Size size = values.size("size");
        Integer width = values.integer("width");
        Integer height = values.integer("height");
        if (size != null && (width != null || height != null)) {
            throw new OptionException("give the size once: --size WxH or --width W --height H, not both");
        }
        return size != null ? new RequestedSize(size.width(), size.height()) : new RequestedSize(width, height);
    }

    /** The LoRAs of {@code --lora} (repeated, or FILE:W,FILE:W), files relative to {@code base}. */
    public static List<LoraSpec> loras(OptionValues values, Path base) {
        List<LoraSpec> loras = new ArrayList<>();
        for (String text : values.strings("lora")) {
            for (String one : text.split(",")) {
                if (!one.isBlank()) {
                    loras.add(LoraSpec.parse(one.strip(), base));
                }
            }
        }
        return loras;
    }

    /** The sampler ids, for help and completion. */
    public static List<String> samplers() {
        return Samplers.all().stream().map(Samplers.Info::id).toList();
    }

    /** Every sampler of the registry as {@code id (A1111 name)}, for help. */
    public static String samplerListing() {
        return String.join(
                        ", ",
                        Samplers.all().stream()
                                .map(i -> i.id() + " (" + i.displayName() + ")")
                                .toList()) + "; with a schedule in the name too, e.g. \"DPM++ 2M SDE Karras\"";
    }

    /** The axis ids, for help and completion. */
    public static List<String> axes() {
        return Arrays.stream(AxisType.values()).map(AxisType::id).toList();
    }
}
