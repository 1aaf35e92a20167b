package dev.easel.engine.models.unet;

/**
 * What every block of a UNet shares, from {@code unet/config.json}: the time-embedding width its resnets take, the
 * group norm of resnets and transformers, and the attention settings of its transformers.
 */
public record BlockSettings(
        int timeEmbeddingDim,
        int normGroups,
        float normEps,
        int crossAttentionDim,
        boolean useLinearProjection,
        boolean upcastAttention) {}
