package dev.easel.engine.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.LayerScope;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;
import dev.easel.engine.nn.ResnetBlock2D;
import dev.easel.engine.nn.Upsample2D;
import java.util.List;

/**
 * A block on the UNet's way up: {@code layers} resnets, each taking the matching down block output (the skip
 * connection) concatenated to its input — each followed by a {@link Transformer2DModel} in
 * {@link CrossAttnUpBlock2D} — then a nearest-neighbour upsampler unless it is the last block.
 */
public abstract sealed class UpBlock extends Module permits UpBlock2D, CrossAttnUpBlock2D {

    /** Builds an up block; the constructors of the block classes, as {@link UpBlockType} names them. */
    @FunctionalInterface
    public interface Factory {
        UpBlock create(
                Init init,
                int inChannels,
                int prevOutputChannels,
                int outChannels,
                int layers,
                int heads,
                int transformerLayers,
                boolean addUpsample,
                BlockSettings settings);
    }

    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Upsample2D> upsamplers;

    /**
     * Registers the children in diffusers' order (attentions, resnets, upsamplers); builds them layer by layer.
     *
     * @param inChannels channels of the last skip connection (the down block one level lower's input)
     * @param prevOutputChannels channels coming from the block below
     */
    UpBlock(
            Init init,
            int inChannels,
            int prevOutputChannels,
            int outChannels,
            int layers,
            int heads,
            int transformerLayers,
            boolean addUpsample,
            BlockSettings s,
            boolean crossAttention) {
        attentions = crossAttention ? register("attentions", new ModuleList<>()) : null;
        resnets = register("resnets", new ModuleList<>());
        upsamplers = register("upsamplers", new ModuleList<>());
        for (int j = 0; j < layers; j++) {
            int skip = j == layers - 1 ? inChannels : outChannels;
            int resIn = j == 0 ? prevOutputChannels : outChannels;
            resnets.add(new ResnetBlock2D(
                    init, resIn + skip, outChannels, s.timeEmbeddingDim(), s.normGroups(), s.normEps()));
            if (crossAttention) {
                attentions.add(
                        new Transformer2DModel(init, heads, outChannels / heads, outChannels, transformerLayers, s));
            }
        }
        if (addUpsample) {
            upsamplers.add(new Upsample2D(init, outChannels, outChannels));
        }
    }

    /** One resnet (and transformer) on {@code x} with its skip connection, freeing the concatenation after. */
    private NDArray layerForward(NDManager scope, int j, NDArray x, NDArray skip, NDArray emb, NDArray context) {
        return LayerScope.run(scope, layer -> {
            NDArray joined = NDArrays.concat(new NDList(x, skip), 1);
            joined.attach(layer); // concat attaches to x's manager: the caller's
            NDArray y = resnets.get(j).forward(layer, joined, emb);
            return attentions != null ? attentions.get(j).forward(layer, y, context) : y;
        });
    }

    /** How many skip connections the block takes: one per resnet. */
    public int skipCount() {
        return resnets.size();
    }

    /**
     * Runs the block on {@code x} with its {@link #skipCount()} skip connections, the last one made first (the order
     * the down blocks' outputs are taken back), upsampling to {@code upsampleTo} [h, w] (the next skip connection's
     * size, so odd sizes come back exactly) unless it is the last block.
     */
    public NDArray forward(
            NDManager scope, NDArray x, NDArray emb, NDArray context, List<NDArray> skips, Shape upsampleTo) {
        for (int j = 0; j < resnets.size(); j++) {
            x = layerForward(scope, j, x, skips.get(j), emb, context);
        }
        if (upsamplers.size() > 0) {
            x = upsamplers.get(0).forward(scope, x, upsampleTo.get(0), upsampleTo.get(1));
        }
        return x;
    }
}
