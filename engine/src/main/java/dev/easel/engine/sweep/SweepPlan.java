package dev.easel.engine.sweep;

import dev.easel.engine.EngineException;
import dev.easel.engine.loading.DreamBoothOutput;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.HiresFix;
import dev.easel.engine.pipeline.SamplingSpeed;
import dev.easel.engine.samplers.Samplers;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A sweep checked and expanded into its cells before any image is made: every axis value applied to the base settings
 * and validated, random seeds drawn, models checked, the grid's size guarded. Any problem is one line naming the axis.
 */
public final class SweepPlan {

    /**
     * Sweeps of more images than this are said first and need a confirmation ({@code --yes}): a typo such as
     * {@code seed:1-10000} would otherwise start hours of work.
     */
    public static final int CONFIRM_ABOVE = 100;

    private final SweepSpec spec;
    private final List<Axis> axes;
    private final List<SweepCell> cells;
    private final SweepModels models;

    private SweepPlan(SweepSpec spec, List<Axis> axes, List<SweepCell> cells, SweepModels models) {
        this.spec = spec;
        this.axes = axes;
        this.cells = cells;
        this.models = models;
    }

    /**
     * Checks and expands {@code spec}.
     *
     * @throws dev.easel.engine.BadValueException (an {@link AxisSyntaxException}, or the grid size guard's) in one line
     */
    public static SweepPlan of(SweepSpec spec, SweepModels models) {
        Random random = new Random();
        Axis x = spec.x().withRandomSeedsResolved(random);
        Axis y = spec.y() == null ? null : spec.y().withRandomSeedsResolved(random);
        Axis z = spec.z() == null ? null : spec.z().withRandomSeedsResolved(random);
        Map<AxisType, String> used = new HashMap<>();
        String[] roles = {"X", "Y", "Z"};
        Axis[] all = {x, y, z};
        for (int i = 0; i < 3; i++) {
            Axis axis = all[i];
            if (axis == null) {
                continue;
            }
            String earlier = used.put(axis.type(), roles[i]);
            if (earlier != null) {
                throw new AxisSyntaxException("the " + axis.type().id() + " axis is used twice (" + earlier + " and "
                        + roles[i] + "); use each axis once");
            }
            check(axis, spec, models);
        }
        if (used.containsKey(AxisType.MODEL) && used.containsKey(AxisType.CHECKPOINT)) {
            throw new AxisSyntaxException("the model and checkpoint axes both choose the model; use one of them");
        }
        GenerationSettings base = spec.base(); // built settings hold a drawn seed, never -1
        List<SweepCell> cells = new ArrayList<>();
        int ys = y == null ? 1 : y.size();
        int zs = z == null ? 1 : z.size();
        for (int zi = 0; zi < zs; zi++) {
            for (int yi = 0; yi < ys; yi++) {
                for (int xi = 0; xi < x.size(); xi++) {
                    SweepCell cell = new SweepCell(
                            xi,
                            yi,
                            zi,
                            base,
                            spec.model(),
                            spec.strength(),
                            spec.lora() == null ? 0 : spec.lora().weight(),
                            null);
                    cell = apply(cell, x, xi);
                    cell = y == null ? cell : apply(cell, y, yi);
                    cell = z == null ? cell : apply(cell, z, zi);
                    try {
                        cell.settings().validate();
                    } catch (EngineException e) {
                        throw new AxisSyntaxException("the cell at X " + (xi + 1) + ", Y " + (yi + 1) + ", Z "
                                + (zi + 1) + " is invalid: " + e.getMessage());
                    }
                    cells.add(cell);
                }
            }
        }
        // Models outermost: each loads once, however the axes are arranged.
        Map<String, Integer> modelOrder = new LinkedHashMap<>();
        cells.forEach(c -> modelOrder.putIfAbsent(c.model(), modelOrder.size()));
        cells.sort(Comparator.comparingInt(c -> modelOrder.get(c.model())));
        List<Axis> axes = new ArrayList<>();
        axes.add(x);
        axes.add(y);
        axes.add(z);
        SweepPlan plan = new SweepPlan(spec, axes, cells, models);
        GridImage.checkSize(plan.gridContent(new BufferedImage[zs][ys][x.size()]), spec.grid());
        return plan;
    }

    /**
     * Refuses a sweep of more than {@link #CONFIRM_ABOVE} images unless {@code confirmed}, saying how many images,
     * how much sampling work and about how long it is; {@code how} tells the caller's way to confirm.
     *
     * @throws AxisSyntaxException one line with the count, the work, the estimate and {@code how}
     */
    public void checkConfirmed(boolean confirmed, String how) {
        if (confirmed || cells.size() <= CONFIRM_ABOVE) {
            return;
        }
        long steps = cells.stream().mapToLong(c -> c.settings().steps()).sum();
        throw new AxisSyntaxException(String.format(
                java.util.Locale.ROOT,
                "this sweep makes %,d images (%,d sampling"
                        + " steps%s; %s), more than the %d run without asking; %s, or use fewer values",
                cells.size(),
                steps,
                cells.get(0).settings().guidanceScale() > 1 ? " with guidance" : "",
                estimate().text(),
                CONFIRM_ABOVE,
                how));
    }

    /** How long a sweep's sampling takes, estimated before it runs: seconds, and whether from measured steps. */
    public record Estimate(double seconds, boolean measured) {

        /**
         * "about 25 minutes, estimated from this model's speed here", or, from the float32 rate of a convolution
         * (which whole steps don't reach), "25 minutes or more, estimated from this machine's float32 rate".
         */
        public String text() {
            return measured
                    ? "about " + duration(seconds) + ", estimated from this model's speed here"
                    : duration(seconds) + " or more, estimated from this machine's float32 rate";
        }

        /** Seconds below two minutes, minutes below two hours, then hours (one decimal below ten). */
        static String duration(double seconds) {
            if (seconds < 120) {
                long s = Math.max(1, Math.round(seconds));
                return s + (s == 1 ? " second" : " seconds");
            }
            if (seconds < 7200) {
                return Math.round(seconds / 60) + " minutes";
            }
            double hours = seconds / 3600;
            return (hours < 10
                            ? String.format(java.util.Locale.ROOT, "%.1f", hours)
                            : String.format(java.util.Locale.ROOT, "%,d", Math.round(hours)))
                    + " hours";
        }
    }

    /** The sampling time of all cells: each model's step FLOPs at each cell's size, over that model's rate. */
    public Estimate estimate() {
        double seconds = 0;
        boolean measured = true;
        Map<String, SamplingSpeed> speeds = new HashMap<>();
        Map<String, SamplingSpeed.Rate> rates = new HashMap<>();
        for (SweepCell cell : cells) {
            SamplingSpeed speed = speeds.computeIfAbsent(cell.model(), models::samplingSpeed);
            SamplingSpeed.Rate rate = rates.computeIfAbsent(cell.model(), m -> speed.rate());
            measured &= rate.measured();
            GenerationSettings s = cell.settings();
            seconds += s.steps()
                    * (double) speed.stepFlops(s.width(), s.height(), s.batchSize(), s.guidanceScale() > 1)
                    / rate.flopsPerSecond();
        }
        return new Estimate(seconds, measured);
    }

    public List<SweepCell> cells() {
        return cells;
    }

    public SweepSpec spec() {
        return spec;
    }

    /** X, Y and Z after random seeds were drawn; Y and Z may be null. */
    public Axis axis(int role) {
        return axes.get(role);
    }

    /** The grid around {@code tiles[z][y][x]}, labelled with the axes' values. */
    GridImage.Content gridContent(BufferedImage[][][] tiles) {
        int tileWidth = cells.stream().mapToInt(c -> c.settings().width()).max().orElse(64);
        int tileHeight =
                cells.stream().mapToInt(c -> c.settings().height()).max().orElse(64);
        String legend = spec.base().prompts().get(0) + " · seed "
                + cells.get(0).settings().seed() + " · " + spec.model();
        return new GridImage.Content(
                labels(axis(0)), labels(axis(1)), labels(axis(2)), tiles, tileWidth, tileHeight, legend);
    }

    private static List<String> labels(Axis axis) {
        if (axis == null) {
            return List.of("");
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < axis.size(); i++) {
            labels.add(axis.label(i));
        }
        return labels;
    }

    private static void check(Axis axis, SweepSpec spec, SweepModels models) {
        switch (axis.type()) {
            case SAMPLER ->
                axis.values().forEach(v -> {
                    try {
                        Samplers.resolve((String) v);
                    } catch (EngineException e) {
                        throw new AxisSyntaxException("sampler axis: " + e.getMessage());
                    }
                });
            case PROMPT_SR -> {
                String search = (String) axis.values().get(0);
                GenerationSettings base = spec.base();
                boolean found = base.prompts().get(0).contains(search)
                        || base.negativePrompts().stream().anyMatch(n -> n.contains(search));
                if (!found) {
                    throw new AxisSyntaxException("prompt_sr axis: '" + search + "' is not in the prompt or the"
                            + " negative prompt; its first value must be text they contain");
                }
            }
            case MODEL -> axis.values().forEach(v -> models.check((String) v));
            case STRENGTH -> {
                if (spec.initImage() == null && spec.base().hires() == null) {
                    throw new AxisSyntaxException("the denoising axis is for img2img sweeps (give an init image) or"
                            + " hires fix (give --hires)");
                }
                axis.values().forEach(v -> {
                    double s = (Double) v;
                    if (s <= 0 || s > 1) {
                        throw new AxisSyntaxException("strength axis: " + s + " is outside (0, 1]");
                    }
                });
            }
            case SCHEDULE ->
                axis.values().forEach(v -> {
                    try {
                        Samplers.effectiveSchedule(spec.base().sampler(), (String) v);
                    } catch (EngineException e) {
                        throw new AxisSyntaxException("schedule axis: " + e.getMessage());
                    }
                });
            case VAR_STRENGTH ->
                axis.values().forEach(v -> {
                    double s = (Double) v;
                    if (!(s >= 0 && s <= 1)) {
                        throw new AxisSyntaxException("var_strength axis: " + s + " is outside [0, 1] (0 = the seed's"
                                + " image, 1 = the variation seed's)");
                    }
                });
            case HIRES_STEPS, HIRES_SCALE -> {
                if (spec.base().hires() == null) {
                    throw new AxisSyntaxException("the " + axis.type().id() + " axis varies hires fix; turn it on"
                            + " with --hires (or .hires(…))");
                }
            }
            case CLIP_SKIP ->
                axis.values().forEach(v -> {
                    if ((Long) v < 1) {
                        throw new AxisSyntaxException(
                                "clip_skip axis: " + v + " is below 1 (1 = the last layer, as in" + " the web UI)");
                    }
                });
            case LORA_WEIGHT -> {
                if (spec.lora() == null) {
                    throw new AxisSyntaxException("the lora_weight axis needs a LoRA to weigh: give one with --lora"
                            + " FILE (or .lora(file, weight))");
                }
            }
            case CHECKPOINT ->
                axis.values().forEach(v -> {
                    if (!DreamBoothOutput.isCheckpoint(Path.of((String) v))) {
                        throw new AxisSyntaxException("checkpoint axis: '" + v + "' is not a checkpoint folder of a"
                                + " DreamBooth run; give folders like RUN/checkpoints/checkpoint-100");
                    }
                });
            case VAE ->
                axis.values().forEach(v -> {
                    if (!isNone((String) v) && !Files.exists(Path.of((String) v))) {
                        throw new AxisSyntaxException("vae axis: '" + v + "' does not exist; give vae/ folders or"
                                + " .safetensors files (none: the model's own)");
                    }
                });
            default -> {
                // numbers and sizes were checked while parsing; the cell validation checks their ranges
            }
        }
    }

    /** A VAE axis value meaning the model's own VAE, as A1111's "None". */
    static boolean isNone(String vae) {
        return vae.equalsIgnoreCase("none") || vae.equalsIgnoreCase("automatic");
    }

    private static SweepCell apply(SweepCell cell, Axis axis, int index) {
        Object value = axis.values().get(index);
        GenerationSettings.Builder b = cell.settings().toBuilder();
        String model = cell.model();
        double strength = cell.strength();
        double loraWeight = cell.loraWeight();
        String vae = cell.vae();
        switch (axis.type()) {
            case SEED -> b.seed((Long) value);
            case STEPS -> b.steps(Math.toIntExact((Long) value));
            case CFG -> b.guidanceScale((Double) value);
            case SAMPLER -> b.sampler((String) value);
            case PROMPT_SR -> {
                String search = (String) axis.values().get(0);
                String replacement = (String) value;
                b.prompts(cell.settings().prompts().stream()
                        .map(p -> p.replace(search, replacement))
                        .toList());
                b.negativePrompts(cell.settings().negativePrompts().stream()
                        .map(n -> n.replace(search, replacement))
                        .toList());
            }
            case NEGATIVE -> b.negativePrompts(List.of((String) value));
            case MODEL -> model = (String) value;
            case SIZE -> b.size(((ImageSize) value).width(), ((ImageSize) value).height());
            // The web UI's clip skip: 1 is the last layer, i.e. diffusers' clip_skip 0.
            case CLIP_SKIP -> b.clipSkip(Math.toIntExact((Long) value) - 1);
            case ETA -> b.eta((Double) value);
            case STRENGTH -> {
                if (cell.settings().hires() != null) {
                    HiresFix h = cell.settings().hires();
                    b.hires(new HiresFix(h.upscaler(), h.scale(), h.width(), h.height(), h.steps(), (Double) value));
                } else {
                    strength = (Double) value;
                }
            }
            case SCHEDULE -> b.schedule((String) value);
            case VAR_SEED -> b.variation((Long) value, cell.settings().subseedStrength());
            case VAR_STRENGTH -> b.variation(cell.settings().subseed(), (Double) value);
            case HIRES_STEPS -> {
                HiresFix h = cell.settings().hires();
                b.hires(new HiresFix(
                        h.upscaler(),
                        h.scale(),
                        h.width(),
                        h.height(),
                        Math.toIntExact((Long) value),
                        h.denoisingStrength()));
            }
            case HIRES_SCALE -> {
                HiresFix h = cell.settings().hires();
                b.hires(HiresFix.byScale(h.upscaler(), (Double) value, h.steps(), h.denoisingStrength()));
            }
            case LORA_WEIGHT -> loraWeight = (Double) value;
            // A checkpoint is a model (its base model with the trained weights): switched outermost, loaded once.
            case CHECKPOINT -> model = (String) value;
            case VAE -> vae = (String) value;
        }
        return new SweepCell(cell.x(), cell.y(), cell.z(), b.build(), model, strength, loraWeight, vae);
    }
}
