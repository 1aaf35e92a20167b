package dev.easel.engine.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.nn.Downsample2D;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;
import dev.easel.engine.nn.ResnetBlock2D;
import java.util.List;

/**
 * A block on the UNet's way down: {@code layers} resnets — each followed by a {@link Transformer2DModel} in
 * {@link CrossAttnDownBlock2D} — then a stride-2 downsampler unless it is the last block. Every output is kept for
 * the up blocks' skip connections.
 */
public abstract sealed class DownBlock extends Module permits DownBlock2D, CrossAttnDownBlock2D {

    /** Builds a down block; the constructors of the block classes, as {@link DownBlockType} names them. */
    @FunctionalInterface
    public interface Factory {
        DownBlock create(
                Init init,
                int inChannels,
                int outChannels,
                int layers,
                int heads,
                int transformerLayers,
                boolean addDownsample,
                BlockSettings settings);
    }

    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Downsample2D> downsamplers;

    /** Registers the children in diffusers' order (attentions, resnets, downsamplers); builds them layer by layer. */
    DownBlock(
            Init init,
            int inChannels,
            int outChannels,
            int layers,
            int heads,
            int transformerLayers,
            boolean addDownsample,
            BlockSettings s,
            boolean crossAttention) {
        attentions = crossAttention ? register("attentions", new ModuleList<>()) : null;
        resnets = register("resnets", new ModuleList<>());
        downsamplers = register("downsamplers", new ModuleList<>());
        for (int j = 0; j < layers; j++) {
            resnets.add(new ResnetBlock2D(
                    init,
                    j == 0 ? inChannels : outChannels,
                    outChannels,
                    s.timeEmbeddingDim(),
                    s.normGroups(),
                    s.normEps()));
            if (crossAttention) {
                attentions.add(
                        new Transformer2DModel(init, heads, outChannels / heads, outChannels, transformerLayers, s));
            }
        }
        if (addDownsample) {
            downsamplers.add(new Downsample2D(init, outChannels, outChannels, 1));
        }
    }

    /** Runs the block on {@code x}, appending each layer's output (and the downsampled one) to {@code skips}. */
    public NDArray forward(NDManager scope, NDArray x, NDArray emb, NDArray context, List<NDArray> skips) {
        for (int j = 0; j < resnets.size(); j++) {
            x = resnets.get(j).forward(scope, x, emb);
            if (attentions != null) {
                x = attentions.get(j).forward(scope, x, context);
            }
            skips.add(x);
        }
        if (downsamplers.size() > 0) {
            x = downsamplers.get(0).forward(scope, x);
            skips.add(x);
        }
        return x;
    }
}
