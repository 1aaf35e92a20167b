package dev.easel.engine.models.unet;

import dev.easel.engine.nn.Init;

/** diffusers' {@code DownBlock2D}: resnets and a downsampler, no attention (SD's lowest-resolution down block). */
public final class DownBlock2D extends DownBlock {

    /** {@code heads} and {@code transformerLayers} are unused: the block has no transformer. */
    public DownBlock2D(
            Init init,
            int inChannels,
            int outChannels,
            int layers,
            int heads,
            int transformerLayers,
            boolean addDownsample,
            BlockSettings settings) {
        super(init, inChannels, outChannels, layers, heads, transformerLayers, addDownsample, settings, false);
    }
}
