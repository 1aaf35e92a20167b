package dev.easel.engine.cli;

import dev.easel.engine.io.Png;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.DefaultModel;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.sweep.Axis;
import dev.easel.engine.sweep.GridImage;
import dev.easel.engine.sweep.LoadingSweepModels;
import dev.easel.engine.sweep.SweepListener;
import dev.easel.engine.sweep.SweepPlan;
import dev.easel.engine.sweep.SweepResult;
import dev.easel.engine.sweep.SweepRunner;
import dev.easel.engine.sweep.SweepSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code xyz}: an X/Y/Z parameter sweep from the command line — the labelled grid at {@code --out}, every image next
 * to it with its parameters, and the results table as CSV.
 */
public final class XyzCommand extends EngineCommand {

    private static final String USAGE = "usage: xyz --model PATH|default --prompt TEXT --x SPEC [--y SPEC] [--z SPEC]"
            + " [--negative TEXT] [--steps N] [--cfg F] [--sampler ID] [--seed N] [--width W] [--height H]"
            + " [--clip-skip N] [--eta F] [--lora FILE[:WEIGHT]] [--init-image FILE.png [--strength F]] [--margin PX]"
            + " [--legend] [--max-megapixels F] --out grid.png"
            + " [--table results.csv]\n  SPEC is TYPE:VALUES as in the web UI, e.g. \"steps:10,20,30\", \"cfg:3-9 [4]\","
            + " \"sampler:euler,ddim\", \"prompt_sr:circle,square\", \"seed:-1,2\"";

    @Override
    public String name() {
        return "xyz";
    }

    @Override
    public String summary() {
        return "X/Y/Z parameter sweep: a labelled image grid and a table of every image";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Override
    protected int execute(List<String> argv) throws IOException {
        boolean legend = argv.contains("--legend");
        Args a = new Args(argv.stream().filter(s -> !s.equals("--legend")).toList(), Set.of("model", "prompt",
                "x", "y", "z", "negative", "steps", "cfg", "sampler", "seed", "width", "height", "clip-skip",
                "eta", "lora", "init-image", "strength", "margin", "max-megapixels", "out", "table"));
        Path out = Path.of(a.required("out")).toAbsolutePath();
        String model = a.required("model");
        GenerationDefaults defaults = GenerationDefaults.forModel(DefaultModel.isDefault(model) ? DefaultModel.path()
                : Path.of(model));
        GenerationSettings.Builder base = GenerationSettings.builder().prompt(a.required("prompt"))
                .steps(a.integer("steps", defaults.steps())).guidanceScale(a.number("cfg", defaults.guidanceScale()))
                .sampler(a.string("sampler", defaults.sampler())).seed(a.longValue("seed", GenerationSettings.RANDOM_SEED))
                .clipSkip(a.integer("clip-skip", 0)).eta(a.number("eta", 0));
        if (a.has("negative")) {
            base.negativePrompt(a.string("negative", ""));
        }
        GridImage.Options grid = new GridImage.Options(a.integer("margin", 0), legend,
                a.number("max-megapixels", GridImage.Options.DEFAULT.maxMegapixels()));
        BufferedImage init = a.has("init-image") ? Png.read(Path.of(a.string("init-image", null))) : null;
        if (init == null && a.has("strength")) {
            throw new UsageException("--strength is for img2img sweeps; give --init-image too");
        }
        Axis x = Axis.parse(a.required("x"));
        Axis y = a.has("y") ? Axis.parse(a.string("y", null)) : null;
        Axis z = a.has("z") ? Axis.parse(a.string("z", null)) : null;
        try (LoadingSweepModels models = new LoadingSweepModels(LoadOptions.defaults())) {
            if (a.has("width") || a.has("height")) {
                base.size(a.integer("width", 512), a.integer("height", 512));
            } else if (init != null) {
                base.size(Math.max(8, init.getWidth() / 8 * 8), Math.max(8, init.getHeight() / 8 * 8));
            } else {
                // The base model's own resolution (loading it now costs nothing: the sweep needs it anyway).
                models.check(model);
                var pipeline = models.pipeline(model);
                int size = pipeline.vaeScaleFactor() * pipeline.unet().config.sampleSize();
                base.size(size, size);
            }
            SweepSpec spec = new SweepSpec(base.build(), model, x, y, z, out.getParent(), grid, init,
                    a.number("strength", defaults.strength()), a.has("lora") ? LoraSpec.parse(a.string("lora", null)) : null);
            SweepPlan plan = SweepPlan.of(spec, models);
            SweepListener progress = new SweepListener() {
                @Override
                public void onStart(int totalImages) {
                    System.out.println(totalImages + " images");
                }

                @Override
                public void onProgress(int done, int total, double etaSeconds) {
                    System.out.printf("\r%d/%d images, ETA %.0f s   ", done, total, etaSeconds);
                    System.out.flush();
                }
            };
            Files.createDirectories(out.getParent());
            SweepResult result = new SweepRunner(models, progress, null).run(plan, out.getParent(), out);
            System.out.println();
            System.out.println(result.summary());
            if (a.has("table")) {
                Path table = Path.of(a.string("table", null));
                result.table().write().csv(table.toFile());
                System.out.println("table: " + table);
            }
            return result.failed() > 0 ? 1 : 0;
        }
    }
}
