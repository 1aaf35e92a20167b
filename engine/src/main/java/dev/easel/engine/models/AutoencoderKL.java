package dev.easel.engine.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.nn.Activations;
import dev.easel.engine.nn.Attention;
import dev.easel.engine.nn.Container;
import dev.easel.engine.nn.Conv2d;
import dev.easel.engine.nn.Downsample2D;
import dev.easel.engine.nn.GroupNorm;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.LayerScope;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;
import dev.easel.engine.nn.ResnetBlock2D;
import dev.easel.engine.nn.ScalarOps;
import dev.easel.engine.nn.Upsample2D;
import java.util.function.BiConsumer;

/**
 * diffusers' {@code AutoencoderKL}: an encoder to a diagonal Gaussian latent distribution and a decoder back to
 * pixels, both with a ResNet + single-head attention mid block. Latents are scaled by {@code scaling_factor}
 * outside (the pipeline), as in diffusers.
 */
public final class AutoencoderKL extends Module {

    /** The fields of {@code vae/config.json} used. */
    public record Config(
            int inChannels,
            int outChannels,
            int latentChannels,
            int[] blockOutChannels,
            int layersPerBlock,
            int normNumGroups,
            double scalingFactor,
            int sampleSize) {

        public static Config fromJson(JsonNode n) {
            int[] boc = Configs.positiveInts(n, "block_out_channels", new int[] {128, 256, 512, 512});
            int groups = Configs.positive(n, "norm_num_groups", 32);
            Configs.requireDivides("norm_num_groups", groups, "block_out_channels", boc);
            return new Config(
                    Configs.positive(n, "in_channels", 3),
                    Configs.positive(n, "out_channels", 3),
                    Configs.positive(n, "latent_channels", 4),
                    boc,
                    Configs.positive(n, "layers_per_block", 2),
                    groups,
                    Configs.positiveNumber(n, "scaling_factor", 0.18215),
                    Configs.positive(n, "sample_size", 512));
        }
    }

    /** The encoder's output: mean and log-variance of the latent Gaussian (before scaling). */
    public record LatentDistribution(NDArray mean, NDArray logvar) {
        /** mean + exp(logvar/2)·eps (diffusers' {@code latent_dist.sample()} with eps drawn by the caller). */
        public NDArray sample(NDArray eps) {
            NDArray std = ScalarOps.mul(logvar, 0.5).exp();
            return mean.add(std.mul(eps));
        }
    }

    public final Config config;
    private final Coder encoder;
    private final Coder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    public AutoencoderKL(Init init, Config c) {
        this.config = c;
        encoder = register("encoder", new Coder(init, c, false));
        decoder = register("decoder", new Coder(init, c, true));
        quantConv = register("quant_conv", new Conv2d(init, 2L * c.latentChannels(), 2L * c.latentChannels(), 1, 1, 0));
        postQuantConv = register("post_quant_conv", new Conv2d(init, c.latentChannels(), c.latentChannels(), 1, 1, 0));
    }

    /** Pixels in [-1, 1], [B, 3, H, W] → latent distribution [B, 4, H/8, W/8] (unscaled). */
    public LatentDistribution encode(NDManager scope, NDArray image) {
        return encode(scope, image, null);
    }

    /**
     * {@link #encode(NDManager, NDArray)}, tile by tile when {@code tiling} is given and the image is larger than one
     * tile (diffusers' {@code tiled_encode}: the moments are blended, then split).
     */
    public LatentDistribution encode(NDManager scope, NDArray image, VaeTiling tiling) {
        NDArray moments = tiling == null ? moments(scope, image) : tiling.moments(this, scope, image);
        NDList parts = moments.split(2, 1);
        NDArray logvar = parts.get(1).clip(-30f, 20f);
        return new LatentDistribution(parts.get(0), logvar);
    }

    /** The encoder and quant_conv: mean and log-variance side by side, [B, 2·latent channels, H/8, W/8]. */
    NDArray moments(NDManager scope, NDArray image) {
        NDArray h = encoder.forward(scope, image, null);
        return quantConv.forward(scope, h);
    }

    /** Unscaled latents → pixels in about [-1, 1]. */
    public NDArray decode(NDManager scope, NDArray z) {
        return decode(scope, z, null, null);
    }

    /** {@link #decode(NDManager, NDArray)} telling {@code hook} every block's output (tests compare them). */
    public NDArray decode(NDManager scope, NDArray z, BiConsumer<String, NDArray> hook) {
        return decode(scope, z, null, hook);
    }

    /**
     * {@link #decode(NDManager, NDArray)}, tile by tile when {@code tiling} is given and the latents are larger than
     * one tile (diffusers' {@code tiled_decode}); {@code hook} (may be null) sees every tile's block outputs.
     */
    public NDArray decode(NDManager scope, NDArray z, VaeTiling tiling, BiConsumer<String, NDArray> hook) {
        return tiling == null ? decodeTile(scope, z, hook) : tiling.decode(this, scope, z, hook);
    }

    /** post_quant_conv and the decoder on the whole of {@code z}. */
    NDArray decodeTile(NDManager scope, NDArray z, BiConsumer<String, NDArray> hook) {
        BiConsumer<String, NDArray> h = hook == null ? (k, v) -> {} : hook;
        NDArray x = postQuantConv.forward(scope, z);
        h.accept("post_quant_conv", x);
        return decoder.forward(scope, x, h);
    }

    /** Encoder or decoder: conv_in, down/up blocks, mid block, norm, conv_out. */
    static final class Coder extends Module {
        final boolean decoder;
        final Conv2d convIn;
        final ModuleList<Container> blocks;
        final Container mid;
        final GroupNorm normOut;
        final Conv2d convOut;

        Coder(Init init, Config c, boolean decoder) {
            this.decoder = decoder;
            int[] boc = c.blockOutChannels();
            int g = c.normNumGroups();
            float eps = 1e-6f;
            int top = boc[boc.length - 1];
            convIn = register(
                    "conv_in",
                    decoder
                            ? new Conv2d(init, c.latentChannels(), top, 3, 1, 1)
                            : new Conv2d(init, c.inChannels(), boc[0], 3, 1, 1));
            blocks = new ModuleList<>();
            if (!decoder) {
                int output = boc[0];
                for (int i = 0; i < boc.length; i++) {
                    int input = output;
                    output = boc[i];
                    Container b = new Container();
                    ModuleList<ResnetBlock2D> res = b.add("resnets", new ModuleList<>());
                    for (int j = 0; j < c.layersPerBlock(); j++) {
                        res.add(new ResnetBlock2D(init, j == 0 ? input : output, output, 0, g, eps));
                    }
                    if (i < boc.length - 1) {
                        b.add("downsamplers", new ModuleList<>()).add(new Downsample2D(init, output, output, 0));
                    }
                    blocks.add(b);
                }
            }
            register(decoder ? "up_blocks" : "down_blocks", blocks);
            mid = register("mid_block", new Container());
            ModuleList<Attention> attn = mid.add("attentions", new ModuleList<>());
            attn.add(new Attention(init, top, top, 1, top, true, g, eps, true));
            ModuleList<ResnetBlock2D> midRes = mid.add("resnets", new ModuleList<>());
            midRes.add(new ResnetBlock2D(init, top, top, 0, g, eps));
            midRes.add(new ResnetBlock2D(init, top, top, 0, g, eps));
            if (decoder) {
                int output = boc[boc.length - 1];
                for (int i = 0; i < boc.length; i++) {
                    int prev = output;
                    output = boc[boc.length - 1 - i];
                    Container b = new Container();
                    ModuleList<ResnetBlock2D> res = b.add("resnets", new ModuleList<>());
                    for (int j = 0; j < c.layersPerBlock() + 1; j++) {
                        res.add(new ResnetBlock2D(init, j == 0 ? prev : output, output, 0, g, eps));
                    }
                    if (i < boc.length - 1) {
                        b.add("upsamplers", new ModuleList<>()).add(new Upsample2D(init, output, output));
                    }
                    blocks.add(b);
                }
            }
            normOut = register("conv_norm_out", new GroupNorm(init, g, decoder ? boc[0] : top, eps));
            convOut = register(
                    "conv_out",
                    decoder
                            ? new Conv2d(init, boc[0], c.outChannels(), 3, 1, 1)
                            : new Conv2d(init, top, 2L * c.latentChannels(), 3, 1, 1));
        }

        @SuppressWarnings("unchecked")
        NDArray forward(NDManager scope, NDArray x, BiConsumer<String, NDArray> hook) {
            BiConsumer<String, NDArray> h = hook == null ? (k, v) -> {} : hook;
            String p = decoder ? "decoder." : "encoder.";
            x = convIn.forward(scope, x);
            h.accept(p + "conv_in", x);
            if (decoder) {
                x = replace(x, midForward(scope, x), hook);
                h.accept(p + "mid_block", x);
            }
            for (int i = 0; i < blocks.size(); i++) {
                x = replace(x, blockForward(scope, blocks.get(i), x), hook);
                h.accept(p + (decoder ? "up_blocks." : "down_blocks.") + i, x);
            }
            if (!decoder) {
                x = replace(x, midForward(scope, x), hook);
                h.accept(p + "mid_block", x);
            }
            NDArray normed = normOut.forward(scope, x);
            h.accept(p + "conv_norm_out", normed);
            if (hook == null) { // a hook may keep what it was shown
                LayerScope.free(x);
                normed = Activations.siluInto(scope, normed);
            } else {
                normed = Activations.silu(normed);
            }
            x = convOut.forward(scope, normed);
            h.accept(p + "conv_out", x);
            return x;
        }

        /**
         * {@code next}, freeing {@code done} (this coder's own output of the stage before) unless a hook was shown it:
         * at 512² the decoder's stage outputs are 128–256 MB each.
         */
        private static NDArray replace(NDArray done, NDArray next, BiConsumer<String, NDArray> hook) {
            if (hook == null) {
                LayerScope.free(done);
            }
            return next;
        }

        /** One down/up block: its resnets, then its resampler; the resnets' outputs are freed as the block ends. */
        @SuppressWarnings("unchecked")
        private NDArray blockForward(NDManager scope, Container b, NDArray in) {
            return LayerScope.run(scope, layer -> {
                NDArray x = in;
                for (ResnetBlock2D r : ((ModuleList<ResnetBlock2D>) b.child("resnets")).items()) {
                    NDArray prev = x;
                    x = r.forward(layer, x, null);
                    if (prev != in) {
                        LayerScope.free(prev);
                    }
                }
                Module s = b.child(decoder ? "upsamplers" : "downsamplers");
                if (s != null) {
                    Module first = ((ModuleList<Module>) s).get(0);
                    x = decoder
                            ? ((Upsample2D) first).forward(layer, x, 0, 0)
                            : ((Downsample2D) first).forward(layer, x);
                }
                return x;
            });
        }

        @SuppressWarnings("unchecked")
        private NDArray midForward(NDManager scope, NDArray x) {
            ModuleList<ResnetBlock2D> res = (ModuleList<ResnetBlock2D>) mid.child("resnets");
            ModuleList<Attention> attn = (ModuleList<Attention>) mid.child("attentions");
            return LayerScope.run(scope, layer -> {
                NDArray y = res.get(0).forward(layer, x, null);
                y = attn.get(0).forwardSpatial(layer, y);
                return res.get(1).forward(layer, y, null);
            });
        }
    }
}
