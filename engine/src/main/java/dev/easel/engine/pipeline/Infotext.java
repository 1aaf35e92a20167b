package dev.easel.engine.pipeline;

import dev.easel.engine.samplers.Samplers;

/**
 * The A1111 "parameters" text of an image ({@code prompt\nNegative prompt: …\nSteps: …, Sampler: …}), stored in
 * the PNG's {@code parameters} tEXt chunk.
 */
public final class Infotext {

    private Infotext() {
    }

    /** Infotext of batch entry {@code index}; {@code strength} null for txt2img. */
    public static String of(GenerationSettings s, int index, String modelName, Double strength) {
        return of(s, index, modelName, strength, null);
    }

    /** As {@link #of(GenerationSettings, int, String, Double)}, with a replacement VAE's name (A1111's "VAE"). */
    public static String of(GenerationSettings s, int index, String modelName, Double strength, String vaeName) {
        int prompt = index / s.imagesPerPrompt();
        StringBuilder b = new StringBuilder(s.prompts().get(prompt));
        if (!s.negativePrompts().isEmpty()) {
            String neg = s.negativePrompts().get(s.negativePrompts().size() == 1 ? 0 : prompt);
            if (!neg.isEmpty()) {
                b.append("\nNegative prompt: ").append(neg);
            }
        }
        b.append("\nSteps: ").append(s.steps());
        b.append(", Sampler: ").append(Samplers.info(s.sampler()).displayName());
        b.append(", CFG scale: ").append(trim(s.guidanceScale()));
        b.append(", Seed: ").append(s.seed());
        b.append(", Size: ").append(s.width()).append('x').append(s.height());
        if (modelName != null) {
            b.append(", Model: ").append(modelName);
        }
        if (vaeName != null) {
            b.append(", VAE: ").append(vaeName);
        }
        if (strength != null) {
            b.append(", Denoising strength: ").append(trim(strength));
        }
        if (s.clipSkip() > 0) {
            b.append(", Clip skip: ").append(s.clipSkip() + 1);
        }
        if (s.eta() > 0) {
            b.append(", Eta: ").append(trim(s.eta()));
        }
        if (s.imagesPerPrompt() * s.prompts().size() > 1) {
            b.append(", Batch size: ").append(s.batchSize()).append(", Batch pos: ").append(index);
        }
        return b.toString();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
