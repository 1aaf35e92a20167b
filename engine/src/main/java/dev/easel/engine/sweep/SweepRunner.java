package dev.easel.engine.sweep;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.Png;
import dev.easel.engine.loading.VaeFiles;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.pipeline.DiffusionPipeline;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.Latents;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.prompt.PromptChunks;
import dev.easel.engine.prompt.PromptSchedule;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.torch.Randomness;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs a {@link SweepPlan}: cells that differ only in seed and prompt share one UNet batch (each with the initial
 * noise of its own seed, so it is the image a single generation with that seed gives); a cell that fails becomes a
 * marked blank tile with its error in the table, and the sweep goes on; an interrupt stops between batches (or
 * within a step) and returns the partial grid.
 */
public final class SweepRunner {

    private static final int MAX_BATCH = 8;
    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final SweepModels models;
    private final SweepListener listener;
    private final BooleanSupplier cancel;
    /** The sweep's LoRA, loaded once per model and taken off again when the sweep ends. */
    private final Map<DiffusionPipeline, LoraNetwork> loras = new IdentityHashMap<>();
    /** The VAE each pipeline had before a VAE axis switched it, put back when the sweep ends. */
    private final Map<StableDiffusionPipeline, Optional<Path>> vaes = new IdentityHashMap<>();

    public SweepRunner(SweepModels models, SweepListener listener, BooleanSupplier cancel) {
        this.models = models;
        this.listener = listener == null ? SweepListener.NONE : listener;
        this.cancel = cancel == null ? () -> false : cancel;
    }

    /** Plans (failing early on bad input) and runs the sweep. */
    public SweepResult run(SweepSpec spec) {
        return run(SweepPlan.of(spec, models));
    }

    /** Runs a plan into a new {@code xyz-DATE-TIME} folder under the spec's output folder. */
    public SweepResult run(SweepPlan plan) {
        Path folder = uniqueFolder(plan.spec().outputFolder(), "xyz-");
        return run(plan, folder, folder.resolve("grid.png"));
    }

    /**
     * Runs a plan with the grid at {@code gridFile} and the cell images in a new folder beside it,
     * {@code GRIDNAME-DATE-TIME}: a later sweep to the same place never overwrites the pictures an earlier one's
     * table points to.
     */
    public SweepResult run(SweepPlan plan, Path gridFile) {
        String name = gridFile.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        return run(plan, uniqueFolder(gridFile.toAbsolutePath().getParent(), stem + "-"), gridFile);
    }

    /** Runs a plan with its images in {@code folder} and the grid at {@code gridFile}. */
    public SweepResult run(SweepPlan plan, Path folder, Path gridFile) {
        try {
            return runCells(plan, folder, gridFile);
        } finally {
            loras.values().forEach(LoraNetwork::remove); // the models are left as the sweep found them
            loras.clear();
            vaes.forEach((pipeline, vae) -> VaeFiles.use(pipeline, vae.orElse(null)));
            vaes.clear();
        }
    }

    private SweepResult runCells(SweepPlan plan, Path folder, Path gridFile) {
        SweepSpec spec = plan.spec();
        List<SweepCell> cells = plan.cells();
        int total = cells.size();
        listener.onStart(total);
        Axis x = plan.axis(0);
        int ys = plan.axis(1) == null ? 1 : plan.axis(1).size();
        int zs = plan.axis(2) == null ? 1 : plan.axis(2).size();
        BufferedImage[][][] tiles = new BufferedImage[zs][ys][x.size()];
        boolean[][][] attempted = new boolean[zs][ys][x.size()];
        SweepTable table = new SweepTable(plan);
        long started = System.nanoTime();
        int done = 0;
        int failed = 0;
        boolean interrupted = false;
        int next = 0;
        while (next < cells.size()) {
            if (Thread.currentThread().isInterrupted() || cancel.getAsBoolean()) {
                interrupted = true;
                break;
            }
            List<SweepCell> batch = nextBatch(cells, next);
            next += batch.size();
            List<Outcome> outcomes;
            try {
                outcomes = generate(batch, spec);
            } catch (CancellationException e) {
                interrupted = true;
                break;
            }
            for (int i = 0; i < batch.size(); i++) {
                SweepCell cell = batch.get(i);
                Outcome outcome = outcomes.get(i);
                Path file = null;
                if (outcome.image() != null) {
                    file = folder.resolve(String.format("%05d.png", done));
                    Png.write(
                            outcome.image(),
                            parameters(cell, spec, outcome.vae())
                                    .withVaeTiling(cell.settings(), outcome.vaeTiled())
                                    .pngText(),
                            file);
                } else {
                    failed++;
                }
                tiles[cell.z()][cell.y()][cell.x()] = outcome.image();
                attempted[cell.z()][cell.y()][cell.x()] = true;
                table.add(cell, outcome.vae(), outcome.image(), outcome.seconds(), file, outcome.error());
                done++;
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            listener.onProgress(done, total, elapsed / done * (total - done));
        }
        if (interrupted) {
            Thread.interrupted(); // handled: the partial grid is the answer
            markNotMade(cells, tiles, attempted, plan);
        }
        BufferedImage grid = GridImage.render(plan.gridContent(tiles), spec.grid());
        Png.write(grid, gridParameters(plan).pngText(), gridFile);
        return new SweepResult(grid, table.table(), folder, gridFile, done - failed, failed, interrupted);
    }

    /** The cell at {@code from} and the following cells that may share its batch. */
    private static List<SweepCell> nextBatch(List<SweepCell> cells, int from) {
        SweepCell first = cells.get(from);
        List<SweepCell> batch = new ArrayList<>(List.of(first));
        // Ancestral samplers (and DDIM with eta) draw noise every step from the batch's generator, so a batched image
        // would differ from the single image of its seed; those run one at a time.
        boolean batchable = !Samplers.info(first.settings().sampler()).stochastic()
                && first.settings().eta() == 0;
        for (int i = from + 1; batchable && i < cells.size() && batch.size() < MAX_BATCH; i++) {
            if (!first.batchesWith(cells.get(i))) {
                break;
            }
            batch.add(cells.get(i));
        }
        return batch;
    }

    /**
     * What one cell produced: an image, or null with the error; the replacement VAE's name, and whether VAE tiling
     * changed the image.
     */
    private record Outcome(BufferedImage image, double seconds, String error, String vae, boolean vaeTiled) {
        Outcome(BufferedImage image, double seconds, String error) {
            this(image, seconds, error, null, false);
        }
    }

    private List<Outcome> generate(List<SweepCell> batch, SweepSpec spec) {
        DiffusionPipeline pipeline = models.pipeline(batch.get(0).model());
        if (spec.lora() != null) {
            loras.computeIfAbsent(pipeline, p -> p.loadLora(spec.lora().file(), 1.0))
                    .setWeight(batch.get(0).loraWeight());
        }
        String vae = batch.get(0).vae();
        try {
            String vaeName = null;
            if (pipeline instanceof StableDiffusionPipeline sd) {
                if (vae != null) {
                    vaes.computeIfAbsent(sd, p -> Optional.ofNullable(p.vaePath()));
                    VaeFiles.use(sd, SweepPlan.isNone(vae) ? null : Path.of(vae));
                }
                vaeName = sd.vaeName();
            } else if (vae != null) {
                throw new EngineException("the vae axis needs a Stable Diffusion model, not "
                        + pipeline.getClass().getSimpleName());
            }
            List<Outcome> made = generateWith(pipeline, batch, spec);
            List<Outcome> named = new ArrayList<>();
            for (int i = 0; i < made.size(); i++) {
                Outcome o = made.get(i);
                named.add(new Outcome(
                        o.image(),
                        o.seconds(),
                        o.error(),
                        vaeName,
                        pipeline.tilesVae(batch.get(i).settings())));
            }
            return named;
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // the VAE the cells were to be decoded with, for their rows, even when it is what failed to load
            String meantVae = vae == null
                    ? pipeline instanceof StableDiffusionPipeline sd ? sd.vaeName() : null
                    : SweepPlan.isNone(vae) ? null : Path.of(vae).getFileName().toString();
            return batch.stream()
                    .map(c -> new Outcome(null, 0, message, meantVae, false))
                    .toList();
        }
    }

    private List<Outcome> generateWith(DiffusionPipeline pipeline, List<SweepCell> batch, SweepSpec spec) {
        try {
            if (batch.size() == 1) {
                SweepCell cell = batch.get(0);
                GenerationResult result = spec.initImage() == null
                        ? pipeline.txt2img(cell.settings(), null, cancel)
                        : pipeline.img2img(cell.settings(), spec.initImage(), cell.strength(), null, cancel);
                return List.of(new Outcome(result.images().get(0), result.millis() / 1e3, null));
            }
            if (!sameShapeOfConditioning(batch, pipeline)) {
                List<Outcome> outcomes = new ArrayList<>();
                for (SweepCell cell : batch) {
                    outcomes.addAll(generate(List.of(cell), spec));
                }
                return outcomes;
            }
            GenerationResult result = pipeline.txt2img(batched(batch, pipeline), null, cancel);
            double each = result.millis() / 1e3 / batch.size();
            List<Outcome> outcomes = new ArrayList<>();
            for (BufferedImage image : result.images()) {
                outcomes.add(new Outcome(image, each, null));
            }
            return outcomes;
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            if (batch.size() > 1) {
                // Find which cells fail on their own; the others still get their images.
                List<Outcome> outcomes = new ArrayList<>();
                for (SweepCell cell : batch) {
                    outcomes.addAll(generateWith(pipeline, List.of(cell), spec));
                }
                return outcomes;
            }
            String message = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            return List.of(new Outcome(null, 0, e instanceof OutOfMemoryError ? "out of memory: " + message : message));
        }
    }

    /**
     * Whether the cells' prompts can share one batch and still give each cell's own image: every prompt (and
     * negative prompt) one chunk without a schedule, since a batch pads prompts to its longest and steps through
     * one conditioning.
     */
    private static boolean sameShapeOfConditioning(List<SweepCell> batch, DiffusionPipeline pipeline) {
        for (SweepCell cell : batch) {
            GenerationSettings s = cell.settings();
            if (s.plainPrompt()) {
                continue;
            }
            List<String> texts = new ArrayList<>(s.prompts());
            texts.addAll(s.negativePrompts());
            for (String t : texts) {
                if (PromptSchedule.of(t, s.steps()).isScheduled()
                        || PromptChunks.of(t, pipeline.tokenizer()).size() > 1) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One generation for the whole batch: a prompt per cell and each cell's own seeded initial noise. */
    private static GenerationSettings batched(List<SweepCell> batch, DiffusionPipeline pipeline) {
        GenerationSettings first = batch.get(0).settings();
        long channels = pipeline.latentChannels();
        long h = first.height() / pipeline.vaeScaleFactor();
        long w = first.width() / pipeline.vaeScaleFactor();
        // Holding the generator from seed to draw: another thread's generation in between would change the noise.
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu());
                Randomness.Held generator = Randomness.hold()) {
            NDList noise = new NDList();
            for (SweepCell cell : batch) {
                generator.seed(cell.settings().seed()); // as the pipeline seeds a single generation
                noise.add(cpu.randomNormal(new Shape(1, channels, h, w)));
            }
            NDArray all = NDArrays.concat(noise, 0);
            return first.toBuilder()
                    .prompts(batch.stream()
                            .map(c -> c.settings().prompts().get(0))
                            .toList())
                    .negativePrompts(batch.stream()
                            .map(c -> c.settings().negativePrompts().isEmpty()
                                    ? ""
                                    : c.settings().negativePrompts().get(0))
                            .toList())
                    .initLatents(Latents.of(all))
                    .build();
        }
    }

    /** Cells an interrupt left unmade are drawn as plain light tiles, distinct from failed ones. */
    private static void markNotMade(
            List<SweepCell> cells, BufferedImage[][][] tiles, boolean[][][] attempted, SweepPlan plan) {
        GridImage.Content content = plan.gridContent(tiles);
        BufferedImage blank = new BufferedImage(content.tileWidth(), content.tileHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = blank.createGraphics();
        g.setColor(new Color(245, 245, 245));
        g.fillRect(0, 0, blank.getWidth(), blank.getHeight());
        g.dispose();
        for (SweepCell cell : cells) {
            if (!attempted[cell.z()][cell.y()][cell.x()]) {
                tiles[cell.z()][cell.y()][cell.x()] = blank;
            }
        }
    }

    /** A cell's parameters: its settings, model, the sweep's LoRA at the cell's weight, and img2img's strength. */
    /** A cell's parameters; {@code vae} the replacement VAE's name (A1111's "VAE"), null for the model's own. */
    private static GenerationParameters parameters(SweepCell cell, SweepSpec spec, String vae) {
        GenerationParameters p = GenerationParameters.of(cell.settings(), 0, cell.model());
        if (vae != null) {
            p = p.with("VAE", vae);
        }
        if (spec.lora() != null) {
            p = p.withLoras(List.of(new LoraSpec(spec.lora().file(), cell.loraWeight())));
        }
        return spec.initImage() == null ? p : p.with("Denoising strength", cell.strength());
    }

    /** The grid's parameters, as the web UI writes them: the first cell's, with the script and its axes. */
    private static GenerationParameters gridParameters(SweepPlan plan) {
        GenerationParameters p =
                parameters(plan.cells().get(0), plan.spec(), null).with("Script", "X/Y/Z plot");
        String[] roles = {"X", "Y", "Z"};
        for (int i = 0; i < 3; i++) {
            Axis axis = plan.axis(i);
            if (axis != null) {
                p = p.with(roles[i] + " Type", axis.type().label())
                        .with(
                                roles[i] + " Values",
                                String.join(
                                        ", ",
                                        axis.values().stream()
                                                .map(v -> v instanceof Double d
                                                        ? GenerationParameters.number(d)
                                                        : String.valueOf(v))
                                                .toList()));
            }
        }
        return p;
    }

    private static Path uniqueFolder(Path parent, String prefix) {
        try {
            Files.createDirectories(parent);
            String name = prefix + LocalDateTime.now().format(FOLDER);
            Path folder = parent.resolve(name);
            for (int i = 2; Files.exists(folder); i++) {
                folder = parent.resolve(name + "-" + i);
            }
            return Files.createDirectory(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sweep's folder in " + parent + ": " + e.getMessage(), e);
        }
    }
}
