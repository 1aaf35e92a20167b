package dev.easel.engine.models.unet;

import dev.easel.engine.nn.Init;

/** diffusers' {@code CrossAttnUpBlock2D}: each resnet followed by a {@link Transformer2DModel}, then an upsampler. */
public final class CrossAttnUpBlock2D extends UpBlock {

    public CrossAttnUpBlock2D(
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
                true);
    }
}
