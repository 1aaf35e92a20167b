package dev.easel.engine.cli;

import dev.easel.engine.defaultmodel.DefaultModelEvaluation;
import dev.easel.engine.io.Png;
import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.sweep.GridImage;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code evaluate-default}: how well the default model draws what it is asked — color, background and shape accuracy
 * on held-out and seen prompts, judged by the deterministic shape analyzer.
 */
public final class EvaluateDefaultCommand extends EngineCommand {

    private static final String USAGE = "usage: evaluate-default [--model default|PATH] [--steps N] [--cfg F]"
            + " [--sampler ID] [--seeds N] [--seen N] [--grid FILE.png]";

    @Override
    public String name() {
        return "evaluate-default";
    }

    @Override
    public String summary() {
        return "score the default model's images (color, background, shape) on held-out and seen prompts";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Override
    protected int execute(List<String> argv) {
        Args a = new Args(argv, Set.of("model", "steps", "cfg", "sampler", "seeds", "seen", "grid"));
        String modelArg = a.string("model", DefaultModel.NAME);
        Path model = DefaultModel.isDefault(modelArg) ? DefaultModel.path() : Path.of(modelArg);
        DefaultModelEvaluation.Settings d = DefaultModelEvaluation.Settings.standard();
        DefaultModelEvaluation.Settings settings = new DefaultModelEvaluation.Settings(
                a.integer("steps", d.steps()),
                a.number("cfg", d.guidanceScale()),
                a.string("sampler", d.sampler()),
                a.integer("seeds", d.seedsPerCombination()),
                a.integer("seen", d.seenSample()),
                d.seed(),
                d.batch());
        long started = System.nanoTime();
        DefaultModelEvaluation.Report report;
        try (StableDiffusionPipeline pipeline = ModelLoader.load(model)) {
            int size = pipeline.vaeScaleFactor() * pipeline.unet().config.sampleSize();
            int total = DefaultModelEvaluation.seenSample(settings.seenSample(), settings.seed())
                            .size()
                    + 12 * settings.seedsPerCombination();
            report = DefaultModelEvaluation.run(
                    pipeline, size, settings, done -> System.out.printf("\rgenerating %d/%d", done, total));
        }
        System.out.println();
        System.out.printf(
                "model %s, %d steps, sampler %s, CFG %.1f, %.0f s%n",
                model,
                settings.steps(),
                settings.sampler(),
                settings.guidanceScale(),
                (System.nanoTime() - started) / 1e9);
        System.out.print(report.table());
        if (a.has("grid")) {
            Path grid = Path.of(a.string("grid", null));
            Png.write(grid(report), Map.of("Description", "evaluate-default images"), grid);
            System.out.println("images: " + grid);
        }
        return 0;
    }

    /** All evaluated images, eight per row, each row labelled with its first prompt. */
    private static BufferedImage grid(DefaultModelEvaluation.Report report) {
        int columns = 8;
        int rows = (report.images().size() + columns - 1) / columns;
        int tile = report.images().get(0).getWidth();
        BufferedImage[][][] tiles = new BufferedImage[1][rows][columns];
        List<String> rowLabels = new ArrayList<>();
        for (int i = 0; i < report.images().size(); i++) {
            tiles[0][i / columns][i % columns] = report.images().get(i);
            if (i % columns == 0) {
                rowLabels.add(report.prompts().get(i));
            }
        }
        BufferedImage blank = new BufferedImage(tile, tile, BufferedImage.TYPE_INT_RGB);
        blank.getGraphics().fillRect(0, 0, tile, tile); // padding of the last row, not a failed image
        for (int i = report.images().size(); i < rows * columns; i++) {
            tiles[0][i / columns][i % columns] = blank;
        }
        List<String> xLabels = new ArrayList<>(Collections.nCopies(columns, ""));
        return GridImage.render(
                new GridImage.Content(xLabels, rowLabels, List.of(""), tiles, tile, tile, null),
                GridImage.Options.DEFAULT);
    }
}
