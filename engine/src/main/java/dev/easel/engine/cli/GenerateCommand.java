package dev.easel.engine.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.community.CommunityFiles;
import dev.easel.engine.embeddings.EmbeddingSpec;
import dev.easel.engine.inpaint.InpaintOptions;
import dev.easel.engine.inpaint.Inpainter;
import dev.easel.engine.io.ImageFiles;
import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.options.CommandLine;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.options.OptionSet;
import dev.easel.engine.options.OptionValues;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationLimits;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.Latents;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code txt2img}, {@code img2img} and {@code inpaint}: one generation from the command line, images written as PNG or
 * JPEG with their parameters. The options are {@link CommandOptions#TXT2IMG} / {@link CommandOptions#IMG2IMG} /
 * {@link CommandOptions#INPAINT}, the magics' too.
 */
public class GenerateCommand extends EngineCommand {

    private final boolean img2img;
    private final boolean inpaint;

    public GenerateCommand() {
        this(false);
    }

    protected GenerateCommand(boolean img2img) {
        this(img2img, false);
    }

    private GenerateCommand(boolean img2img, boolean inpaint) {
        this.img2img = img2img || inpaint;
        this.inpaint = inpaint;
    }

    /** The inpaint registration: img2img's options plus a mask and A1111's inpainting extras. */
    public static final class Inpaint extends GenerateCommand {
        public Inpaint() {
            super(true, true);
        }
    }

    /** The img2img registration. */
    public static final class Img2Img extends GenerateCommand {
        public Img2Img() {
            super(true);
        }
    }

    @Override
    public String name() {
        return inpaint ? "inpaint" : img2img ? "img2img" : "txt2img";
    }

    @Override
    public String summary() {
        return inpaint
                ? "repaint the white part of a mask over an image (Stable Diffusion inpainting)"
                : img2img
                        ? "generate images from an init image and a prompt (Stable Diffusion img2img)"
                        : "generate images from a prompt (Stable Diffusion txt2img)";
    }

    private OptionSet options() {
        return inpaint ? CommandOptions.INPAINT : img2img ? CommandOptions.IMG2IMG : CommandOptions.TXT2IMG;
    }

    @Override
    protected String usage() {
        return CommandLine.help(
                name(),
                summary(),
                options(),
                "Required: --model, --prompt, --out"
                        + (img2img ? ", --init-image" : " (with --from-png only --out)") + (inpaint ? ", --mask" : "")
                        + ". Unset generation settings come from the model's"
                        + " recommendation (model_index.json), else 20 steps, CFG 7, Euler a.");
    }

    @Override
    protected int execute(List<String> argv) {
        OptionValues a = CommandLine.parse(argv, options(), name());
        Path png = a.declares("from-png") && a.string("from-png") != null ? Path.of(a.string("from-png")) : null;
        GenerationParameters.Recipe recipe =
                png == null ? null : GenerationParameters.read(png).recipe();
        String modelArg = recipe != null && a.string("model") == null ? modelOf(recipe, png) : a.required("model");
        Path model = DefaultModel.isDefault(modelArg) ? DefaultModel.path() : Path.of(modelArg);
        Path out = Path.of(a.required("out"));
        ImageFiles.checkWritable(out);
        List<String> prompts = a.strings("prompt");
        if (prompts.isEmpty() && recipe == null) {
            throw new UsageException("missing required option --prompt (or --from-png FILE.png)");
        }
        GenerationDefaults defaults = GenerationDefaults.forModel(model);
        GenerationSettings.Builder b;
        int keep = -1; // with a batch PNG: the one image of the re-made batch that is the PNG's
        if (recipe == null) {
            b = CommandOptions.settings(a, defaults)
                    .prompts(prompts)
                    .negativePrompts(a.strings("negative"))
                    .imagesPerPrompt(a.integer("batch"))
                    .spacing(a.string("spacing"));
        } else {
            String prefix = name() + ": " + png.getFileName() + ": ";
            recipe.differences(model, ModelLoader.modelName(model)).forEach(l -> System.err.println(prefix + l));
            b = CommandOptions.settings(a, recipe.settings());
            if (!prompts.isEmpty()) {
                b.prompts(prompts);
            }
            if (a.given("negative")) {
                b.negativePrompts(a.strings("negative"));
            }
            if (a.given("spacing")) {
                b.spacing(a.string("spacing"));
            }
            if (a.given("batch")) {
                b.imagesPerPrompt(a.integer("batch"));
            } else if (recipe.settings().imagesPerPrompt() > 1) {
                keep = recipe.batchPosition();
            }
        }
        if (!img2img && a.string("init-latents") != null) {
            b.initLatents(Latents.read(Path.of(a.string("init-latents"))));
        }
        CommandOptions.RequestedSize size = CommandOptions.size(a);
        BufferedImage init = null;
        double strength = 0;
        if (img2img) {
            init = GenerationLimits.readImage(Path.of(a.required("init-image")));
            // diffusers inpaints at strength 1 by default: the masked part is redrawn, not blended
            strength = a.number("strength") != null ? a.number("strength") : inpaint ? 1.0 : defaults.strength();
            if (!(strength > 0)) {
                throw new UsageException("--strength must be more than 0, got " + strength);
            }
            int[] wh = size.or(Math.max(8, init.getWidth() / 8 * 8), Math.max(8, init.getHeight() / 8 * 8));
            b.size(wh[0], wh[1]);
        } else if (size.given()) {
            int[] wh = size.or(
                    recipe != null ? recipe.settings().width() : 512,
                    recipe != null ? recipe.settings().height() : 512);
            b.size(wh[0], wh[1]);
        }
        // Checked before the model loads; without a size it is checked again at the model's own.
        b.build().validate();
        List<LoraSpec> loras = CommandOptions.loras(a, Path.of(""));
        List<EmbeddingSpec> embeddings = new ArrayList<>();
        for (String embedding : a.strings("embedding")) {
            embeddings.add(EmbeddingSpec.parse(embedding, Path.of("")));
        }
        BufferedImage mask = inpaint ? GenerationLimits.readImage(Path.of(a.required("mask"))) : null;
        InpaintOptions inpaintOptions = inpaint
                ? new InpaintOptions(
                        a.integer("mask-blur"),
                        InpaintOptions.onlyMasked(a.string("inpaint-area")),
                        a.integer("padding"),
                        a.flag("invert-mask"))
                : null;
        LoadOptions opts = LoadOptions.defaults();
        if ("cpu".equals(a.string("device"))) {
            opts = opts.withDevice(Device.cpu(), DataType.FLOAT32);
        } else if ("gpu".equals(a.string("device"))) {
            opts = opts.withDevice(Device.gpu(), DataType.FLOAT16);
        }
        if (a.string("dtype") != null) { // what MemoryBudget names when float32 weights do not fit
            opts = opts.withDevice(
                    opts.device(), "fp16".equals(a.string("dtype")) ? DataType.FLOAT16 : DataType.FLOAT32);
        }
        if (a.string("config") != null) {
            opts = opts.withConfigDir(Path.of(a.string("config")));
        }
        opts = opts.withPredictionType(a.string("prediction-type"));
        GenerationSettings recorded; // the prompts as typed, LoRA tags included, as A1111 records them
        GenerationResult r;
        String vaeName;
        List<LoraSpec> loraFiles; // given and named by the prompts' tags
        boolean vaeTiled;
        try (StableDiffusionPipeline pipe = ModelLoader.load(model, opts)) {
            if (!img2img && !size.given() && recipe == null) {
                // The model's own resolution, as diffusers does: 512 for SD 1.5, 64 for the default model.
                int native_ = pipe.vaeScaleFactor() * pipe.unet().config.sampleSize();
                b.size(native_, native_);
            }
            recorded = b.build();
            CommunityFiles.Applied applied = CommunityFiles.apply(
                    pipe,
                    model,
                    recorded,
                    loras,
                    embeddings,
                    path(a, "vae"),
                    path(a, "lora-dir"),
                    path(a, "embeddings-dir"));
            applied.notes().forEach(note -> System.err.println(name() + ": " + note));
            loraFiles = applied.files();
            vaeName = pipe.vaeName();
            vaeTiled = pipe.tilesVae(recorded);
            GenerationSettings s = applied.settings();
            if (inpaint) {
                List<String> notes = new ArrayList<>();
                r = Inpainter.run(pipe, s, init, mask, strength, inpaintOptions, null, null, notes);
                notes.forEach(note -> System.err.println(name() + ": " + note));
            } else {
                r = img2img ? pipe.img2img(s, init, strength, null, null) : pipe.txt2img(s);
            }
        }
        List<Integer> written = new ArrayList<>();
        for (int i = 0; i < r.images().size(); i++) {
            if (keep < 0 || i == keep) {
                written.add(i);
            }
        }
        List<Path> files = outputs(out, written.size());
        String modelName = ModelLoader.modelName(model);
        for (int f = 0; f < files.size(); f++) {
            int i = written.get(f);
            GenerationParameters parameters = GenerationParameters.of(recorded, i, modelName)
                    .withModelHash(model)
                    .withLoras(loraFiles)
                    .withVaeTiling(recorded, vaeTiled);
            if (vaeName != null) {
                parameters = parameters.with("VAE", vaeName);
            }
            if (img2img) {
                parameters = parameters.with("Denoising strength", strength);
            }
            ImageFiles.write(r.images().get(i), parameters.pngText(), files.get(f));
            System.out.println(files.get(f) + "  (seed " + r.seeds().get(i) + ")");
        }
        if (a.string("save-latents") != null) {
            r.finalLatents().write(Path.of(a.string("save-latents")));
        }
        return 0;
    }

    /**
     * The model a PNG names, when no --model is given: the default model, or a folder or checkpoint of that name
     * here; else the one-line error saying which model to pass.
     */
    private static String modelOf(GenerationParameters.Recipe recipe, Path png) {
        String named = recipe.model();
        if (named == null || named.isBlank()) {
            throw new UsageException(png + " does not say which model made it; pass one with --model PATH");
        }
        if (DefaultModel.isDefault(named)) {
            return named;
        }
        for (String candidate : List.of(named, named + ".safetensors", named + ".ckpt")) {
            if (Files.exists(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new UsageException(png + " was made with model '" + named + "'"
                + (recipe.modelHash() != null ? " (hash " + recipe.modelHash() + ")" : "")
                + ", which is not here; pass it with --model PATH (its diffusers folder or .safetensors file)");
    }

    private static Path path(OptionValues values, String option) {
        return values.string(option) != null ? Path.of(values.string(option)) : null;
    }

    /** FILE.png for one image; FILE-0.png, FILE-1.png, … for several. */
    static List<Path> outputs(Path out, int n) {
        if (n == 1) {
            return List.of(out);
        }
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : ".png";
        Path dir = out.toAbsolutePath().getParent();
        List<Path> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(dir.resolve(stem + "-" + i + ext));
        }
        return l;
    }
}
