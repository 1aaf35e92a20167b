package dev.easel.engine.models.unet;

import dev.easel.engine.nn.Init;

/** diffusers' {@code UpBlock2D}: resnets over the skip connections and an upsampler, no attention. */
public final class UpBlock2D extends UpBlock {

    /** {@code heads} and {@code transformerLayers} are unused: the block has no transformer. */
    public UpBlock2D(
            Init init,
            int inChannels,
            int prevOutputChannels,
            int outChannels,
            int layers,
            int heads,
            int transformerLayers,
            boolean addUpsample,
            BlockSettings settings) {
        super(
                init,
                inChannels,
                prevOutputChannels,
                outChannels,
                layers,
                heads,
                transformerLayers,
                addUpsample,
                settings,
                false);
    }
}
