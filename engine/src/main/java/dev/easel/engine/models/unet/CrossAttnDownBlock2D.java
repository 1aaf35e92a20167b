package dev.easel.engine.models.unet;

import dev.easel.engine.nn.Init;

/** diffusers' {@code CrossAttnDownBlock2D}: each resnet followed by a {@link Transformer2DModel}, then a downsampler. */
public final class CrossAttnDownBlock2D extends DownBlock {

    public CrossAttnDownBlock2D(
            Init init,
            int inChannels,
            int outChannels,
            int layers,
            int heads,
            int transformerLayers,
            boolean addDownsample,
            BlockSettings settings) {
        super(init, inChannels, outChannels, layers, heads, transformerLayers, addDownsample, settings, true);
    }
}
