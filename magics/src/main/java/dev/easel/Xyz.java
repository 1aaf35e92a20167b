package dev.easel;

import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.pipeline.DiffusionPipeline;
import dev.easel.engine.sweep.Axis;
import dev.easel.engine.sweep.AxisSyntaxException;
import dev.easel.engine.sweep.GridImage;
import dev.easel.engine.sweep.SweepListener;
import dev.easel.engine.sweep.SweepModels;
import dev.easel.engine.sweep.SweepPlan;
import dev.easel.engine.sweep.SweepResult;
import dev.easel.engine.sweep.SweepRunner;
import dev.easel.engine.sweep.SweepSpec;
import dev.easel.notebook.Outputs;
import dev.easel.notebook.Progress;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An X/Y/Z sweep around a base request, as the web UIs' X/Y/Z plot:
 * {@code sd.xyz("a red circle").x(Axis.steps(10, 20, 30)).y(Axis.parse("cfg:3-9 [4]")).run()}.
 * {@link #run()} shows one progress bar for the whole sweep and returns a {@link Sweep} (grid, table, files).
 */
public final class Xyz {

    private final Model model;
    private Txt2Img base;
    private Axis x;
    private Axis y;
    private Axis z;
    private int margin;
    private boolean legend;
    private double maxMegapixels = GridImage.Options.DEFAULT.maxMegapixels();
    private Path outputs;
    private LoraSpec lora;
    private BufferedImage init;
    private Double strength;
    private boolean confirmed;

    Xyz(Model model, Txt2Img base) {
        this.model = model;
        this.base = base;
    }

    /** The sweep's prompt, with default settings for the rest (use {@link #base} to set those too). */
    public Xyz prompt(String prompt) {
        this.base = model.txt2img(prompt);
        return this;
    }

    /** A base request with every setting the sweep starts from: {@code .base(sd.txt2img("…").steps(20).cfg(5))}. */
    public Xyz base(Txt2Img request) {
        this.base = request;
        return this;
    }

    public Xyz x(Axis axis) {
        this.x = axis;
        return this;
    }

    public Xyz y(Axis axis) {
        this.y = axis;
        return this;
    }

    public Xyz z(Axis axis) {
        this.z = axis;
        return this;
    }

    /** Pixels between tiles. */
    public Xyz margin(int pixels) {
        this.margin = pixels;
        return this;
    }

    /** A line under the grid with the prompt, seed and model. */
    public Xyz legend(boolean show) {
        this.legend = show;
        return this;
    }

    /** The size guard: a grid above this many megapixels is refused before anything is made (default 200). */
    public Xyz maxMegapixels(double limit) {
        this.maxMegapixels = limit;
        return this;
    }

    /**
     * Runs a sweep of more than {@value SweepPlan#CONFIRM_ABOVE} images too (default: such a sweep is refused with its
     * image count, work and estimated time, since a typo like {@code seed:1-10000} would otherwise start hours of
     * generation).
     */
    public Xyz confirm(boolean large) {
        this.confirmed = large;
        return this;
    }

    /** A LoRA applied to every image at {@code weight}, or at the values of a {@code lora_weight} axis. */
    public Xyz lora(Path file, double weight) {
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("the LoRA weight must be a finite number, got " + weight);
        }
        this.lora = new LoraSpec(file, weight);
        return this;
    }

    /**
     * Makes it an img2img sweep from {@code image} at {@code strength} (or at the values of a {@code strength} axis),
     * as the web UI's X/Y/Z plot on the img2img tab.
     */
    public Xyz init(BufferedImage image, double strength) {
        if (image == null) {
            throw new IllegalArgumentException("the init image is null; pass an image, a path or an earlier result");
        }
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be more than 0 and at most 1, got " + strength);
        }
        this.init = image;
        this.strength = strength;
        return this;
    }

    /** An img2img sweep from {@code image} at the model's default strength (or a {@code strength} axis's values). */
    public Xyz init(BufferedImage image) {
        init(image, 1);
        this.strength = null;
        return this;
    }

    /** An img2img sweep from an image file. */
    public Xyz init(Path image, double strength) {
        return init(Model.read(image), strength);
    }

    /** An img2img sweep from the first image of an earlier result. */
    public Xyz init(Generation result, double strength) {
        return init(result.image(), strength);
    }

    /** Where the sweep's folder goes (default: the outputs folder, see {@code %outputs}). */
    public Xyz saveTo(Path folder) {
        this.outputs = folder;
        return this;
    }

    /**
     * Checks everything (one line, an {@link IllegalArgumentException} or the engine's {@link
     * dev.easel.engine.EngineException}, before any image), then runs the sweep with one
     * progress bar. An interrupt stops it and returns the partial grid.
     */
    public Sweep run() {
        if (base == null) {
            throw new IllegalArgumentException("the sweep has no prompt; use sd.xyz(\"a prompt\") or .prompt(…)");
        }
        if (x == null) {
            throw new IllegalArgumentException("the sweep has no X axis; add .x(Axis.parse(\"steps:10,20,30\"))");
        }
        LoraSpec sweepLora = lora;
        if (sweepLora == null && !base.loras().isEmpty()) { // the base request's .lora(…)
            if (base.loras().size() > 1) {
                throw new IllegalArgumentException("a sweep applies one LoRA, the base request has "
                        + base.loras().size() + "; give the sweep one with .lora(file, weight)");
            }
            sweepLora = base.loras().get(0);
        }
        SweepSpec spec = new SweepSpec(
                base.sweepBase(),
                model.name(),
                x,
                y,
                z,
                outputs != null ? outputs : Outputs.folder(),
                new GridImage.Options(margin, legend, maxMegapixels),
                init,
                strength != null ? strength : model.defaults().strength(),
                sweepLora);
        SweepModels models = new NotebookModels(model);
        SweepPlan plan = SweepPlan.of(spec, models);
        plan.checkConfirmed(confirmed, "add --yes (Java: .confirm(true)) to run it");
        // Models a model or checkpoint axis loads stay loaded for the next sweep, but don't become the notebook's
        // current model: the next %txt2img uses what it used before.
        Optional<Model> current = ModelRegistry.global().current();
        Progress[] bar = new Progress[1];
        SweepListener listener = new SweepListener() {
            @Override
            public void onStart(int totalImages) {
                bar[0] = Progress.start("xyz", totalImages, "images");
            }

            @Override
            public void onProgress(int done, int total, double etaSeconds) {
                bar[0].set(done);
            }
        };
        try {
            SweepResult result = new SweepRunner(models, listener, null).run(plan);
            if (result.interrupted()) {
                bar[0].stop("interrupted");
            } else {
                bar[0].done(result.summary());
            }
            return new Sweep(result);
        } finally {
            current.ifPresent(ModelRegistry.global()::makeCurrent);
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }

    /** A sweep's models: the notebook's loaded ones by name, else a folder or file loaded (once) by path. */
    private static final class NotebookModels implements SweepModels {

        private final Model base;

        NotebookModels(Model base) {
            this.base = base;
        }

        @Override
        public void check(String name) {
            if (name.equals(base.name()) || ModelRegistry.global().byName(name).isPresent()) {
                return;
            }
            if (!DefaultModel.isDefault(name) && !Files.exists(Path.of(name))) {
                throw new AxisSyntaxException("model '" + name + "' is neither a loaded model ("
                        + String.join(", ", ModelRegistry.global().names()) + ") nor an existing path");
            }
        }

        @Override
        public DiffusionPipeline pipeline(String name) {
            if (name.equals(base.name())) {
                return base.pipeline();
            }
            return ModelRegistry.global()
                    .byName(name)
                    .orElseGet(() -> Easel.load(name))
                    .pipeline();
        }
    }
}
