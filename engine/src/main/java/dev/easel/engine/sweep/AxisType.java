package dev.easel.engine.sweep;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings a sweep can vary, with the id used in specs ({@code steps:10,20}), the aliases people type (names as
 * in the AUTOMATIC1111 X/Y/Z plot), and what kind of values they take.
 */
public enum AxisType {
    SEED("seed", ValueKind.INTEGER, "Seed"),
    STEPS("steps", ValueKind.INTEGER, "Steps"),
    CFG("cfg", ValueKind.DECIMAL, "CFG Scale", "cfg_scale", "guidance"),
    SAMPLER("sampler", ValueKind.TEXT, "Sampler"),
    PROMPT_SR("prompt_sr", ValueKind.TEXT, "Prompt S/R", "sr", "prompt"),
    NEGATIVE("negative", ValueKind.TEXT, "Negative prompt", "negative_prompt"),
    MODEL("model", ValueKind.TEXT, "Checkpoint name", "checkpoint_name"),
    SIZE("size", ValueKind.SIZE, "Size"),
    CLIP_SKIP("clip_skip", ValueKind.INTEGER, "Clip skip"),
    ETA("eta", ValueKind.DECIMAL, "Eta"),
    STRENGTH("strength", ValueKind.DECIMAL, "Denoising", "denoising", "denoising_strength"),
    SCHEDULE("schedule", ValueKind.TEXT, "Schedule type", "schedule_type", "scheduler"),
    VAR_SEED("var_seed", ValueKind.INTEGER, "Var. seed", "subseed", "variation_seed"),
    VAR_STRENGTH("var_strength", ValueKind.DECIMAL, "Var. strength", "subseed_strength", "variation_strength"),
    HIRES_STEPS("hires_steps", ValueKind.INTEGER, "Hires steps", "hr_steps"),
    HIRES_SCALE("hires_scale", ValueKind.DECIMAL, "Hires upscale", "hr_scale"),
    LORA_WEIGHT("lora_weight", ValueKind.DECIMAL, "LoRA weight", "lora"),
    CHECKPOINT("checkpoint", ValueKind.TEXT, "DreamBooth checkpoint", "step"),
    /** A replacement VAE per value (a {@code vae/} folder or a {@code .safetensors}); {@code none}: the model's own. */
    VAE("vae", ValueKind.TEXT, "VAE", "sd_vae");

    /** How an axis's values are written and parsed. */
    public enum ValueKind {
        /** Whole numbers; ranges {@code 1-5}, {@code 1-5 (+2)}, {@code 1-10 [5]}. */
        INTEGER,
        /** Decimal numbers; ranges {@code 0.5-1.5 (+0.25)}, {@code 3-9 [4]}. */
        DECIMAL,
        /** Words or phrases, quoted when they contain commas. */
        TEXT,
        /** {@code WIDTHxHEIGHT}. */
        SIZE
    }

    private final String id;
    private final ValueKind kind;
    private final String label;
    private final List<String> aliases;

    AxisType(String id, ValueKind kind, String label, String... aliases) {
        this.id = id;
        this.kind = kind;
        this.label = label;
        this.aliases = Arrays.asList(aliases);
    }

    public String id() {
        return id;
    }

    public ValueKind kind() {
        return kind;
    }

    /** The label shown in grids and tables, e.g. {@code CFG Scale}. */
    public String label() {
        return label;
    }

    /** The axis named {@code name}: its id, its label or an alias, in any case, with spaces or dashes for _. */
    public static Optional<AxisType> named(String name) {
        String key = normalise(name);
        return Arrays.stream(values())
                .filter(t -> normalise(t.id).equals(key)
                        || normalise(t.label).equals(key)
                        || t.aliases.stream().anyMatch(a -> normalise(a).equals(key)))
                .findFirst();
    }

    private static String normalise(String name) {
        return name.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s\\-/]+", "_");
    }
}
