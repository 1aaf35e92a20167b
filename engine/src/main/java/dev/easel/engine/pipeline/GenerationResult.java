package dev.easel.engine.pipeline;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The outcome of a generation.
 *
 * @param images one RGB image per batch entry (prompt-major: p0, p0, …, p1, …)
 * @param seeds the seed of each image (the batch shares one generator, as in diffusers)
 * @param settings the settings used
 * @param finalLatents the latents after the last step, before VAE decoding (float32 [B, 4, h, w])
 * @param millis wall time of the generation
 */
public record GenerationResult(
        List<BufferedImage> images, List<Long> seeds, GenerationSettings settings, Latents finalLatents, long millis) {}
