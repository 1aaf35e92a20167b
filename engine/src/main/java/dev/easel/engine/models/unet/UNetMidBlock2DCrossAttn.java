package dev.easel.engine.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;
import dev.easel.engine.nn.ResnetBlock2D;

/** diffusers' {@code UNetMidBlock2DCrossAttn}: resnet, transformer, resnet at the lowest resolution. */
public final class UNetMidBlock2DCrossAttn extends Module {

    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;

    public UNetMidBlock2DCrossAttn(Init init, int channels, int heads, int transformerLayers, BlockSettings s) {
        attentions = register("attentions", new ModuleList<>());
        attentions.add(new Transformer2DModel(init, heads, channels / heads, channels, transformerLayers, s));
        resnets = register("resnets", new ModuleList<>());
        resnets.add(new ResnetBlock2D(init, channels, channels, s.timeEmbeddingDim(), s.normGroups(), s.normEps()));
        resnets.add(new ResnetBlock2D(init, channels, channels, s.timeEmbeddingDim(), s.normGroups(), s.normEps()));
    }

    public NDArray forward(NDManager scope, NDArray x, NDArray emb, NDArray context) {
        x = resnets.get(0).forward(scope, x, emb);
        x = attentions.get(0).forward(scope, x, context);
        return resnets.get(1).forward(scope, x, emb);
    }
}
