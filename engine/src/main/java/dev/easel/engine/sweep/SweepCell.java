package dev.easel.engine.sweep;

import dev.easel.engine.pipeline.GenerationSettings;
import java.util.Objects;

/**
 * One cell of the grid: its position, the settings and model it is made with, and the axis values that put it there
 * ({@code vae}: a VAE axis value — a path, or {@code none} for the model's own; null: no VAE axis, the VAE in use).
 */
public record SweepCell(
        int x,
        int y,
        int z,
        GenerationSettings settings,
        String model,
        double strength,
        double loraWeight,
        String vae) {

    /** Whether {@code other} may share a UNet batch with this cell: everything but seed and prompt is the same. */
    boolean batchesWith(SweepCell other) {
        GenerationSettings a = settings;
        GenerationSettings b = other.settings;
        return model.equals(other.model)
                && strength == other.strength
                && loraWeight == other.loraWeight
                && Objects.equals(vae, other.vae)
                && a.steps() == b.steps()
                && a.guidanceScale() == b.guidanceScale()
                && a.sampler().equals(b.sampler())
                && a.width() == b.width()
                && a.height() == b.height()
                && a.clipSkip() == b.clipSkip()
                && a.eta() == b.eta()
                && Objects.equals(a.spacing(), b.spacing())
                && Objects.equals(a.schedule(), b.schedule())
                && a.plainPrompt() == b.plainPrompt()
                && Objects.equals(a.vaeTiling(), b.vaeTiling())
                // variation seeds and the hires pass draw noise from each image's own seeds: one at a time
                && a.subseedStrength() == 0
                && b.subseedStrength() == 0
                && a.hires() == null
                && b.hires() == null;
    }
}
