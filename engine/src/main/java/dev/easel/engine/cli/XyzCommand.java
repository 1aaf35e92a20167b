package dev.easel.engine.cli;

import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.options.CommandLine;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.options.OptionValues;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationLimits;
import dev.easel.engine.pipeline.GenerationSettings;
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

/**
 * {@code xyz}: an X/Y/Z parameter sweep from the command line — the labelled grid at {@code --out}, every image in a
 * folder of its own beside it with its parameters, and the results table as CSV. Options: {@link CommandOptions#XYZ}.
 */
public final class XyzCommand extends EngineCommand {

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
        return CommandLine.help(
                name(),
                summary(),
                CommandOptions.XYZ,
                "Required: --model, --prompt, --x, --out.\n"
                        + "SPEC is TYPE:VALUES as in the web UI, e.g. \"steps:10,20,30\", \"cfg:3-9 [4]\","
                        + " \"sampler:euler,ddim\", \"prompt_sr:circle,square\", \"seed:-1,2\".\nAxes: "
                        + String.join(", ", CommandOptions.axes()) + ". Cell images go to a new folder beside the grid,"
                        + " so a later sweep never overwrites them.");
    }

    @Override
    protected int execute(List<String> argv) throws IOException {
        OptionValues a = CommandLine.parse(argv, CommandOptions.XYZ, name());
        Path out = Path.of(a.required("out")).toAbsolutePath();
        String model = a.required("model");
        GenerationDefaults defaults =
                GenerationDefaults.forModel(DefaultModel.isDefault(model) ? DefaultModel.path() : Path.of(model));
        List<String> prompts = a.strings("prompt");
        List<String> negatives = a.strings("negative");
        if (prompts.size() != 1 || negatives.size() > 1) {
            throw new UsageException("a sweep takes one --prompt and at most one --negative; vary them with"
                    + " prompt_sr or negative axes");
        }
        GenerationSettings.Builder base = CommandOptions.settings(a, defaults).prompt(prompts.get(0));
        negatives.forEach(base::negativePrompt);
        GridImage.Options grid =
                new GridImage.Options(a.integer("margin"), a.flag("legend"), a.number("max-megapixels"));
        BufferedImage init =
                a.string("init-image") != null ? GenerationLimits.readImage(Path.of(a.string("init-image"))) : null;
        if (init == null && a.number("strength") != null) {
            throw new UsageException("--strength is for img2img sweeps; give --init-image too");
        }
        List<LoraSpec> loras = CommandOptions.loras(a, Path.of(""));
        if (loras.size() > 1) {
            throw new UsageException("a sweep applies one LoRA (weigh it with a lora_weight axis)");
        }
        Axis x = Axis.parse(a.required("x"));
        Axis y = a.string("y") != null ? Axis.parse(a.string("y")) : null;
        Axis z = a.string("z") != null ? Axis.parse(a.string("z")) : null;
        CommandOptions.RequestedSize size = CommandOptions.size(a);
        try (LoadingSweepModels models = new LoadingSweepModels(LoadOptions.defaults())) {
            if (init != null) {
                int[] wh = size.or(Math.max(8, init.getWidth() / 8 * 8), Math.max(8, init.getHeight() / 8 * 8));
                base.size(wh[0], wh[1]);
            } else if (size.given()) {
                int[] wh = size.or(512, 512);
                base.size(wh[0], wh[1]);
            } else {
                // The base model's own resolution (loading it now costs nothing: the sweep needs it anyway).
                models.check(model);
                int side = models.pipeline(model).defaultImageSize();
                base.size(side, side);
            }
            SweepSpec spec = new SweepSpec(
                    base.build(),
                    model,
                    x,
                    y,
                    z,
                    out.getParent(),
                    grid,
                    init,
                    a.number("strength") != null ? a.number("strength") : defaults.strength(),
                    loras.isEmpty() ? null : loras.get(0));
            SweepPlan plan = SweepPlan.of(spec, models);
            plan.checkConfirmed(a.flag("yes"), "add --yes to run it");
            SweepListener progress = new SweepListener() {
                @Override
                public void onStart(int totalImages) {
                    System.out.println(totalImages + " images, seed "
                            + plan.cells().get(0).settings().seed());
                }

                @Override
                public void onProgress(int done, int total, double etaSeconds) {
                    System.out.printf("\r%d/%d images, ETA %.0f s   ", done, total, etaSeconds);
                    System.out.flush();
                }
            };
            Files.createDirectories(out.getParent());
            SweepResult result = new SweepRunner(models, progress, null).run(plan, out);
            System.out.println();
            System.out.println(result.summary());
            System.out.println("images: " + result.folder());
            if (a.string("table") != null) {
                Path table = Path.of(a.string("table"));
                result.table().write().csv(table.toFile());
                System.out.println("table: " + table);
            }
            return result.failed() > 0 ? 1 : 0;
        }
    }
}
