package dev.easel.engine.pipeline;

import dev.easel.engine.EngineException;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.TimestepSpacing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything that decides one txt2img/img2img generation, immutable. Build with {@link #builder()}.
 *
 * @param prompts one or more prompts (a batch may mix prompts)
 * @param negativePrompts none (empty → ""), one for all prompts, or one per prompt
 * @param steps number of inference steps
 * @param guidanceScale classifier-free guidance scale (no CFG at ≤ 1)
 * @param sampler sampler id or web-UI name
 * @param seed seed of the CPU generator (as {@code torch.Generator("cpu").manual_seed(seed)}); the builder turns
 *     {@link #RANDOM_SEED} into a random seed, so a settings record always says which seed it uses
 * @param width image width, a multiple of 8
 * @param height image height, a multiple of 8
 * @param imagesPerPrompt images per prompt
 * @param clipSkip diffusers' clip_skip (0 = last layer; 1 = the layer before, A1111's "clip skip 2")
 * @param eta DDIM eta
 * @param spacing timestep spacing override, or null for the model's scheduler config (else the sampler's default)
 * @param initLatents explicit N(0,1) initial latents instead of seeded noise (txt2img), or null
 * @param plainPrompt read prompts literally and cut them at 77 tokens, as diffusers does; otherwise A1111's syntax
 *                    (weights, BREAK, editing, alternation) and prompts of any length
 * @param schedule the sigma schedule of sigma-based samplers: "default", "karras" or "exponential" (null = default)
 * @param subseed the variation seed (A1111's "Variation seed")
 * @param subseedStrength how far the noise moves from the seed's towards the subseed's (0 = not at all, 1 = all)
 * @param hires a second, larger pass (A1111's hires fix), or null
 * @param vaeTiling decode and encode images larger than one tile tile by tile (diffusers' {@code enable_vae_tiling}):
 *                  bounded memory at any size, slightly different pixels; null decodes in one pass
 */
public record GenerationSettings(
        List<String> prompts,
        List<String> negativePrompts,
        int steps,
        double guidanceScale,
        String sampler,
        long seed,
        int width,
        int height,
        int imagesPerPrompt,
        int clipSkip,
        double eta,
        TimestepSpacing spacing,
        Latents initLatents,
        boolean plainPrompt,
        String schedule,
        long subseed,
        double subseedStrength,
        HiresFix hires,
        VaeTiling vaeTiling) {

    /** The seed that asks for a random one, as in the web UIs. */
    public static final long RANDOM_SEED = -1;

    public GenerationSettings {
        prompts = List.copyOf(prompts);
        negativePrompts = List.copyOf(negativePrompts);
    }

    /** Total images: prompts × images per prompt. */
    public int batchSize() {
        return prompts.size() * imagesPerPrompt;
    }

    /**
     * Checks the values, and that the request fits this machine ({@link GenerationLimits}); throws
     * {@link EngineException} naming the bad setting.
     */
    public void validate() {
        if (prompts.isEmpty()) {
            throw new EngineException("no prompt given");
        }
        if (!negativePrompts.isEmpty() && negativePrompts.size() != 1 && negativePrompts.size() != prompts.size()) {
            throw new EngineException("got " + negativePrompts.size() + " negative prompts for " + prompts.size()
                    + " prompts; give none, one, or one per prompt");
        }
        if (steps < 1 || steps > 1000) {
            throw new EngineException("steps must be between 1 and 1000, got " + steps);
        }
        GenerationLimits.checkSize(width, height);
        if (seed < 0) {
            throw new EngineException("seed must be ≥ 0 (or -1 for a random one), got " + seed);
        }
        if (imagesPerPrompt < 1) {
            throw new EngineException("images per prompt must be at least 1, got " + imagesPerPrompt);
        }
        if (clipSkip < 0) {
            throw new EngineException("clip skip must be ≥ 0, got " + clipSkip);
        }
        if (!Double.isFinite(guidanceScale) || guidanceScale < 0) {
            throw new EngineException("guidance scale must be a finite number ≥ 0, got " + guidanceScale);
        }
        if (!Double.isFinite(eta) || eta < 0) {
            throw new EngineException("eta must be a finite number ≥ 0, got " + eta);
        }
        Samplers.resolve(sampler);
        Samplers.schedule(schedule);
        if (!(subseedStrength >= 0 && subseedStrength <= 1)) {
            throw new EngineException("subseed strength must be between 0 and 1, got " + subseedStrength
                    + " (0 keeps the seed's image, 1 gives the subseed's)");
        }
        if (hires != null) {
            hires.validate(width, height);
        }
        if (initLatents != null) {
            long[] s = initLatents.shape();
            if (s[0] != batchSize()) {
                throw new EngineException("initial latents have batch " + s[0] + ", expected " + batchSize());
            }
        }
        GenerationLimits.checkMemory(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.prompts = new ArrayList<>(prompts);
        b.negativePrompts = new ArrayList<>(negativePrompts);
        b.steps = steps;
        b.guidanceScale = guidanceScale;
        b.sampler = sampler;
        b.seed = seed;
        b.width = width;
        b.height = height;
        b.imagesPerPrompt = imagesPerPrompt;
        b.clipSkip = clipSkip;
        b.eta = eta;
        b.spacing = spacing;
        b.initLatents = initLatents;
        b.plainPrompt = plainPrompt;
        b.schedule = schedule;
        b.subseed = subseed;
        b.subseedStrength = subseedStrength;
        b.hires = hires;
        b.vaeTiling = vaeTiling;
        return b;
    }

    /**
     * Builder; defaults: {@link GenerationDefaults#STANDARD} (20 steps, CFG 7, Euler a), a random seed, 512×512, one
     * image per prompt, no clip skip, eta 0.
     */
    public static final class Builder {
        private List<String> prompts = new ArrayList<>();
        private List<String> negativePrompts = new ArrayList<>();
        private int steps = GenerationDefaults.STANDARD.steps();
        private double guidanceScale = GenerationDefaults.STANDARD.guidanceScale();
        private String sampler = GenerationDefaults.STANDARD.sampler();
        private long seed = RANDOM_SEED;
        private int width = 512;
        private int height = 512;
        private int imagesPerPrompt = 1;
        private int clipSkip = 0;
        private double eta = 0;
        private TimestepSpacing spacing;
        private Latents initLatents;
        private boolean plainPrompt;
        private String schedule;
        private long subseed;
        private double subseedStrength;
        private HiresFix hires;
        private VaeTiling vaeTiling;

        public Builder prompt(String p) {
            prompts.add(p);
            return this;
        }

        public Builder prompts(List<String> p) {
            prompts = new ArrayList<>(p);
            return this;
        }

        public Builder negativePrompt(String p) {
            negativePrompts.add(p);
            return this;
        }

        public Builder negativePrompts(List<String> p) {
            negativePrompts = new ArrayList<>(p);
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder guidanceScale(double v) {
            guidanceScale = v;
            return this;
        }

        public Builder sampler(String v) {
            sampler = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder size(int w, int h) {
            width = w;
            height = h;
            return this;
        }

        public Builder width(int v) {
            width = v;
            return this;
        }

        public Builder height(int v) {
            height = v;
            return this;
        }

        public Builder imagesPerPrompt(int v) {
            imagesPerPrompt = v;
            return this;
        }

        public Builder clipSkip(int v) {
            clipSkip = v;
            return this;
        }

        public Builder eta(double v) {
            eta = v;
            return this;
        }

        /** A spacing by its config name ("leading", "linspace", "trailing"), or null for the model's. */
        public Builder spacing(String v) {
            spacing = v == null ? null : TimestepSpacing.parse(v, "spacing");
            return this;
        }

        public Builder spacing(TimestepSpacing v) {
            spacing = v;
            return this;
        }

        public Builder initLatents(Latents v) {
            initLatents = v;
            return this;
        }

        /** Prompts read literally and cut at 77 tokens, as diffusers (default false: A1111's prompt syntax). */
        public Builder plainPrompt(boolean v) {
            plainPrompt = v;
            return this;
        }

        /** "default", "karras" or "exponential" sigmas for sigma-based samplers. */
        public Builder schedule(String v) {
            schedule = v;
            return this;
        }

        /** A1111's variation seed: the noise is slerped towards the subseed's by {@code strength} (0…1). */
        public Builder variation(long subseed, double strength) {
            this.subseed = subseed;
            this.subseedStrength = strength;
            return this;
        }

        public Builder hires(HiresFix v) {
            hires = v;
            return this;
        }

        /** Tiled VAE decoding and encoding ({@link VaeTiling#DEFAULT}: tiles of the VAE's sample size), or null. */
        public Builder vaeTiling(VaeTiling v) {
            vaeTiling = v;
            return this;
        }

        /** The settings; a {@link #RANDOM_SEED} becomes a random seed in [0, 2^32), as AUTOMATIC1111 draws it. */
        public GenerationSettings build() {
            long chosen = seed == RANDOM_SEED ? ThreadLocalRandom.current().nextLong(1L << 32) : seed;
            return new GenerationSettings(
                    prompts,
                    negativePrompts,
                    steps,
                    guidanceScale,
                    sampler,
                    chosen,
                    width,
                    height,
                    imagesPerPrompt,
                    clipSkip,
                    eta,
                    spacing,
                    initLatents,
                    plainPrompt,
                    schedule,
                    subseed,
                    subseedStrength,
                    hires,
                    vaeTiling);
        }
    }
}
