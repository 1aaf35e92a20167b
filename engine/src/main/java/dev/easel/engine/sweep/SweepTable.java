package dev.easel.engine.sweep;

import dev.easel.engine.tables.SignificantDigits;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A sweep's results as a Tablesaw table, one row per image: its axis values (x, y, z), every setting it was made
 * with (the VAE it was decoded with among them: a replacement's file name, empty for the model's own), its time, its
 * file and simple image statistics — or the error of a cell that failed.
 */
final class SweepTable {

    private final SweepPlan plan;
    private final StringColumn x = StringColumn.create("x");
    private final StringColumn y = StringColumn.create("y");
    private final StringColumn z = StringColumn.create("z");
    private final StringColumn prompt = StringColumn.create("prompt");
    private final StringColumn negative = StringColumn.create("negative_prompt");
    private final StringColumn model = StringColumn.create("model");
    private final StringColumn vae = StringColumn.create("vae");
    private final StringColumn sampler = StringColumn.create("sampler");
    private final IntColumn steps = IntColumn.create("steps");
    private final DoubleColumn cfg = DoubleColumn.create("cfg");
    private final LongColumn seed = LongColumn.create("seed");
    private final IntColumn width = IntColumn.create("width");
    private final IntColumn height = IntColumn.create("height");
    private final IntColumn clipSkip = IntColumn.create("clip_skip");
    private final DoubleColumn eta = DoubleColumn.create("eta");
    private final DoubleColumn strength = DoubleColumn.create("strength");
    private final DoubleColumn loraWeight = DoubleColumn.create("lora_weight");
    private final DoubleColumn seconds = DoubleColumn.create("seconds");
    private final StringColumn image = StringColumn.create("image");
    private final DoubleColumn brightness = DoubleColumn.create("brightness");
    private final DoubleColumn contrast = DoubleColumn.create("contrast");
    private final DoubleColumn colorfulness = DoubleColumn.create("colorfulness");
    private final DoubleColumn sharpness = DoubleColumn.create("sharpness");
    private final StringColumn error = StringColumn.create("error");

    SweepTable(SweepPlan plan) {
        this.plan = plan;
    }

    /** One cell's row; {@code vaeName} the replacement VAE it used, null for the model's own. */
    void add(SweepCell cell, String vaeName, BufferedImage picture, double time, Path file, String failure) {
        x.append(value(0, cell.x()));
        y.append(value(1, cell.y()));
        z.append(value(2, cell.z()));
        var s = cell.settings();
        prompt.append(s.prompts().get(0));
        negative.append(s.negativePrompts().isEmpty() ? "" : s.negativePrompts().get(0));
        model.append(cell.model());
        vae.append(vaeName == null ? "" : vaeName);
        sampler.append(s.sampler());
        steps.append(s.steps());
        cfg.append(s.guidanceScale());
        seed.append(s.seed());
        width.append(s.width());
        height.append(s.height());
        clipSkip.append(s.clipSkip() + 1);
        eta.append(s.eta());
        strength.append(plan.spec().initImage() == null ? 0 : cell.strength());
        loraWeight.append(plan.spec().lora() == null ? Double.NaN : cell.loraWeight());
        seconds.append(time);
        image.append(file == null ? "" : file.toString());
        ImageStatistics stats = picture == null ? null : ImageStatistics.of(picture);
        brightness.append(stats == null ? Double.NaN : stats.brightness());
        contrast.append(stats == null ? Double.NaN : stats.contrast());
        colorfulness.append(stats == null ? Double.NaN : stats.colorfulness());
        sharpness.append(stats == null ? Double.NaN : stats.sharpness());
        error.append(failure == null ? "" : failure);
    }

    private String value(int role, int index) {
        Axis axis = plan.axis(role);
        return axis == null ? "" : String.valueOf(axis.values().get(index));
    }

    Table table() {
        return SignificantDigits.apply(Table.create(
                "xyz sweep",
                x,
                y,
                z,
                prompt,
                negative,
                model,
                vae,
                sampler,
                steps,
                cfg,
                seed,
                width,
                height,
                clipSkip,
                eta,
                strength,
                loraWeight,
                seconds,
                image,
                brightness,
                contrast,
                colorfulness,
                sharpness,
                error));
    }
}
