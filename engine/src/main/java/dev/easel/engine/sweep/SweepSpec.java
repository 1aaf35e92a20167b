package dev.easel.engine.sweep;

import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.pipeline.GenerationSettings;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * What a sweep varies and around what: the base settings (one prompt), the model it starts from, up to three axes
 * (X, Y, Z; Y and Z may be null), where images go, and grid layout. {@code initImage} and {@code strength} make it an
 * img2img sweep; {@code lora} (may be null) is a LoRA applied to every cell, at its weight or the lora_weight axis's.
 */
public record SweepSpec(
        GenerationSettings base,
        String model,
        Axis x,
        Axis y,
        Axis z,
        Path outputFolder,
        GridImage.Options grid,
        BufferedImage initImage,
        double strength,
        LoraSpec lora) {

    public SweepSpec {
        if (x == null) {
            throw new AxisSyntaxException("a sweep needs at least an X axis, e.g. --x \"steps:10,20,30\"");
        }
        if (base.prompts().size() != 1 || base.imagesPerPrompt() != 1) {
            throw new AxisSyntaxException("a sweep varies one prompt, one image per cell; use a seed axis for more");
        }
    }

    /** A txt2img sweep with the default grid layout. */
    public static SweepSpec of(GenerationSettings base, String model, Axis x, Axis y, Axis z, Path outputFolder) {
        return new SweepSpec(base, model, x, y, z, outputFolder, GridImage.Options.DEFAULT, null, 0, null);
    }

    public int cellCount() {
        return x.size() * (y == null ? 1 : y.size()) * (z == null ? 1 : z.size());
    }
}
