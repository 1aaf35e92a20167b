package dev.easel.engine.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.DefaultModel;
import dev.easel.engine.EngineException;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.io.Png;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.Latents;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.Samplers;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code txt2img} and {@code img2img}: one generation from the command line, images written as PNG. */
public class GenerateCommand implements Subcommand {

    private static final Set<String> COMMON = Set.of("model", "prompt", "negative", "steps", "cfg", "sampler", "seed",
            "width", "height", "batch", "clip-skip", "eta", "spacing", "init-latents", "save-latents", "out",
            "config", "device", "lora");

    private final boolean img2img;

    public GenerateCommand() {
        this(false);
    }

    protected GenerateCommand(boolean img2img) {
        this.img2img = img2img;
    }

    /** The img2img registration. */
    public static final class Img2Img extends GenerateCommand {
        public Img2Img() {
            super(true);
        }
    }

    @Override
    public String name() {
        return img2img ? "img2img" : "txt2img";
    }

    @Override
    public String summary() {
        return img2img ? "generate images from an init image and a prompt (Stable Diffusion img2img)"
                : "generate images from a prompt (Stable Diffusion txt2img)";
    }

    static String usage(boolean img2img) {
        return "usage: " + (img2img ? "img2img" : "txt2img") + " --model PATH|default --prompt TEXT [--prompt TEXT]..."
                + " [--negative TEXT]... [--steps N] [--cfg F] [--sampler ID] [--seed N] [--width W] [--height H]"
                + " [--batch N] [--clip-skip N] [--eta F] [--spacing leading|linspace|trailing]"
                + " [--init-latents FILE.npy] [--save-latents FILE.npy] [--config DIR] [--device cpu|gpu]"
                + " [--lora FILE.safetensors[:WEIGHT]]..."
                + (img2img ? " --init-image FILE.png --strength F" : "") + " --out FILE.png";
    }

    @Override
    public int run(List<String> argv) {
        Cli.quietLogs();
        try {
            if (argv.contains("--help") || argv.contains("-h")) {
                System.out.println(usage(img2img));
                return 0;
            }
            Set<String> known = new HashSet<>(COMMON);
            if (img2img) {
                known.add("init-image");
                known.add("strength");
            }
            Args a = new Args(argv, known);
            String modelArg = a.required("model");
            Path model = DefaultModel.isDefault(modelArg) ? DefaultModel.path() : Path.of(modelArg);
            Path out = Path.of(a.required("out"));
            List<String> prompts = a.all("prompt");
            if (prompts.isEmpty()) {
                throw new UsageException("missing required option --prompt");
            }
            GenerationDefaults defaults = GenerationDefaults.forModel(model);
            GenerationSettings.Builder b = GenerationSettings.builder().prompts(prompts)
                    .negativePrompts(a.all("negative")).steps(a.integer("steps", defaults.steps()))
                    .guidanceScale(a.number("cfg", defaults.guidanceScale()))
                    .sampler(a.string("sampler", defaults.sampler()))
                    .seed(a.longValue("seed", GenerationSettings.RANDOM_SEED))
                    .width(a.integer("width", 512)).height(a.integer("height", 512))
                    .imagesPerPrompt(a.integer("batch", 1)).clipSkip(a.integer("clip-skip", 0))
                    .eta(a.number("eta", 0)).spacing(a.string("spacing", null));
            if (a.has("init-latents")) {
                if (img2img) {
                    throw new UsageException("--init-latents is for txt2img");
                }
                b.initLatents(Latents.read(Path.of(a.string("init-latents", null))));
            }
            try {
                Samplers.resolve(a.string("sampler", defaults.sampler()));
            } catch (EngineException e) {
                throw new UsageException(e.getMessage());
            }
            BufferedImage init = null;
            double strength = 0;
            if (img2img) {
                init = Png.read(Path.of(a.required("init-image")));
                strength = a.number("strength", defaults.strength());
                if (!a.has("width") && !a.has("height")) {
                    b.width(init.getWidth() - init.getWidth() % 8).height(init.getHeight() - init.getHeight() % 8);
                }
            }
            GenerationSettings s = b.build();
            s.validate();
            LoadOptions opts = LoadOptions.defaults();
            String device = a.string("device", null);
            if ("cpu".equals(device)) {
                opts = opts.withDevice(Device.cpu(), DataType.FLOAT32);
            } else if ("gpu".equals(device)) {
                opts = opts.withDevice(Device.gpu(), DataType.FLOAT16);
            } else if (device != null) {
                throw new UsageException("--device must be cpu or gpu, got '" + device + "'");
            }
            if (a.has("config")) {
                opts = opts.withConfigDir(Path.of(a.string("config", null)));
            }
            GenerationResult r;
            List<LoraSpec> loras = a.all("lora").stream().map(LoraSpec::parse).toList();
            try (StableDiffusionPipeline pipe = ModelLoader.load(model, opts)) {
                for (LoraSpec lora : loras) {
                    pipe.loadLora(lora.file(), lora.weight());
                }
                if (!img2img && !a.has("width") && !a.has("height")) {
                    // The model's own resolution, as diffusers does: 512 for SD 1.5, 64 for the default model.
                    int size = pipe.vaeScaleFactor() * pipe.unet().config.sampleSize();
                    s = b.width(size).height(size).build();
                }
                r = img2img ? pipe.img2img(s, init, strength, null, null) : pipe.txt2img(s);
            }
            List<Path> files = outputs(out, r.images().size());
            for (int i = 0; i < files.size(); i++) {
                GenerationParameters parameters = GenerationParameters.of(s, i,
                        DefaultModel.isDefault(modelArg) ? DefaultModel.NAME : model.getFileName().toString())
                        .withLoras(loras);
                if (img2img) {
                    parameters = parameters.with("Denoising strength", strength);
                }
                Png.write(r.images().get(i), parameters.pngText(), files.get(i));
                System.out.println(files.get(i));
            }
            if (a.has("save-latents")) {
                r.finalLatents().write(Path.of(a.string("save-latents", null)));
            }
            return 0;
        } catch (UsageException e) {
            System.err.println(name() + ": " + e.getMessage());
            System.err.println(usage(img2img));
            return 2;
        } catch (EngineException e) {
            System.err.println(name() + ": " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) { // a bad value, as EngineCommand answers it
            System.err.println(name() + ": " + Cli.firstLine(e.getMessage()));
            return 2;
        } catch (RuntimeException | Error e) {
            System.err.println(name() + ": " + e.getClass().getSimpleName() + ": " + Cli.firstLine(e.getMessage()));
            return 1;
        }
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
