package dev.easel.engine.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.EngineException;
import dev.easel.engine.nn.Activations;
import dev.easel.engine.nn.Attention;
import dev.easel.engine.nn.Container;
import dev.easel.engine.nn.Conv2d;
import dev.easel.engine.nn.Downsample2D;
import dev.easel.engine.nn.GroupNorm;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.LayerNorm;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;
import dev.easel.engine.nn.ResnetBlock2D;
import dev.easel.engine.nn.Upsample2D;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * diffusers' {@code UNet2DConditionModel} for Stable Diffusion 1.x/2.x: sinusoidal timestep embedding, ResNet
 * blocks, Transformer2D blocks (self-attention, cross-attention on the text embeddings, GEGLU feed-forward), the
 * CrossAttnDown/Down/Up/CrossAttnUp blocks and the cross-attention mid block. Names equal the weight keys.
 */
public final class UNet2DConditionModel extends Module {

    /** The fields of {@code unet/config.json} this implementation uses. */
    public record Config(int inChannels, int outChannels, int[] blockOutChannels, String[] downBlockTypes,
                         String[] upBlockTypes, int layersPerBlock, int crossAttentionDim, int[] numAttentionHeads,
                         int[] transformerLayersPerBlock, int normNumGroups, double normEps, boolean flipSinToCos,
                         int freqShift, boolean useLinearProjection, boolean upcastAttention, int sampleSize) {

        public static Config fromJson(JsonNode n) {
            for (String unsupported : new String[] {"class_embed_type", "addition_embed_type", "encoder_hid_dim",
                    "time_cond_proj_dim"}) {
                JsonNode v = n.get(unsupported);
                if (v != null && !v.isNull()) {
                    throw new EngineException("unet config: " + unsupported + "=" + v + " is not supported (SD 1.x/2.x"
                            + " UNets only)");
                }
            }
            if (Configs.bool(n, "only_cross_attention", false) || Configs.bool(n, "dual_cross_attention", false)) {
                throw new EngineException("unet config: only_cross_attention/dual_cross_attention not supported");
            }
            int[] boc = Configs.positiveInts(n, "block_out_channels", new int[] {320, 640, 1280, 1280});
            String[] down = Configs.strings(n, "down_block_types", new String[] {"CrossAttnDownBlock2D",
                    "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"});
            String[] up = Configs.strings(n, "up_block_types", new String[] {"UpBlock2D", "CrossAttnUpBlock2D",
                    "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"});
            Configs.requireLength("down_block_types", down.length, boc.length, "block_out_channels");
            Configs.requireLength("up_block_types", up.length, boc.length, "block_out_channels");
            // SD 1.x/2.x configs put the head count in attention_head_dim (a diffusers naming quirk)
            JsonNode heads = n.get("num_attention_heads");
            String headsKey = heads == null || heads.isNull() ? "attention_head_dim" : "num_attention_heads";
            int[] h = perBlock(headsKey, Configs.positiveInts(n, headsKey, new int[] {8}), boc.length);
            int groups = Configs.positive(n, "norm_num_groups", 32);
            Configs.requireDivides("norm_num_groups", groups, "block_out_channels", boc);
            for (int i = 0; i < boc.length; i++) {
                if (boc[i] % h[i] != 0) {
                    throw new EngineException(headsKey + " " + h[i] + " does not divide block_out_channels "
                            + boc[i] + "; expected a head count that divides each block's channels");
                }
            }
            return new Config(Configs.positive(n, "in_channels", 4), Configs.positive(n, "out_channels", 4), boc,
                    down, up, Configs.positive(n, "layers_per_block", 2),
                    Configs.positive(n, "cross_attention_dim", 768), h,
                    perBlock("transformer_layers_per_block",
                            Configs.positiveInts(n, "transformer_layers_per_block", new int[] {1}), boc.length),
                    groups, Configs.positiveNumber(n, "norm_eps", 1e-5),
                    Configs.bool(n, "flip_sin_to_cos", true), Configs.integer(n, "freq_shift", 0),
                    Configs.bool(n, "use_linear_projection", false), Configs.bool(n, "upcast_attention", false),
                    Configs.positive(n, "sample_size", 64));
        }

        private static int[] perBlock(String key, int[] v, int n) {
            if (v.length == n) {
                return v;
            }
            if (v.length != 1) {
                Configs.requireLength(key, v.length, n, "block_out_channels");
            }
            int[] out = new int[n];
            Arrays.fill(out, v[0]);
            return out;
        }

        /** A config with given block widths for SD-1.x-shaped UNets (used for random benchmark models). */
        public static Config sd1Like(int[] blockOut, int layers, int crossDim, int heads, int sampleSize) {
            String[] down = new String[blockOut.length];
            String[] up = new String[blockOut.length];
            for (int i = 0; i < blockOut.length; i++) {
                boolean last = i == blockOut.length - 1;
                down[i] = last ? "DownBlock2D" : "CrossAttnDownBlock2D";
                up[i] = i == 0 ? "UpBlock2D" : "CrossAttnUpBlock2D";
            }
            int[] hs = new int[blockOut.length];
            Arrays.fill(hs, heads);
            int[] tl = new int[blockOut.length];
            Arrays.fill(tl, 1);
            return new Config(4, 4, blockOut, down, up, layers, crossDim, hs, tl, 32, 1e-5, true, 0, false, false,
                    sampleSize);
        }
    }

    public final Config config;
    private final Linear timeLinear1;
    private final Linear timeLinear2;
    private final Conv2d convIn;
    private final ModuleList<Block> downBlocks;
    private final MidBlock midBlock;
    private final ModuleList<Block> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    public UNet2DConditionModel(Init init, Config c) {
        this.config = c;
        int[] boc = c.blockOutChannels();
        int timeDim = boc[0] * 4;
        float eps = (float) c.normEps();
        int g = c.normNumGroups();
        convIn = register("conv_in", new Conv2d(init, c.inChannels(), boc[0], 3, 1, 1));
        Module timeEmbedding = register("time_embedding", new Container());
        timeLinear1 = ((Container) timeEmbedding).add("linear_1",
                new Linear(init, boc[0], timeDim, true));
        timeLinear2 = ((Container) timeEmbedding).add("linear_2",
                new Linear(init, timeDim, timeDim, true));

        downBlocks = register("down_blocks", new ModuleList<>());
        int output = boc[0];
        for (int i = 0; i < boc.length; i++) {
            int input = output;
            output = boc[i];
            boolean last = i == boc.length - 1;
            boolean attn = c.downBlockTypes()[i].equals("CrossAttnDownBlock2D");
            if (!attn && !c.downBlockTypes()[i].equals("DownBlock2D")) {
                throw new EngineException("unet config: unsupported down block type " + c.downBlockTypes()[i]);
            }
            Block b = new Block(false);
            for (int j = 0; j < c.layersPerBlock(); j++) {
                b.resnets.add(new ResnetBlock2D(init, j == 0 ? input : output, output, timeDim, g, eps));
                if (attn) {
                    b.attentions.add(new Transformer2DModel(init, c.numAttentionHeads()[i],
                            output / c.numAttentionHeads()[i], output, c.transformerLayersPerBlock()[i], c));
                }
            }
            b.finish(attn);
            if (!last) {
                b.downsamplers.add(new Downsample2D(init, output, output, 1));
            }
            downBlocks.add(b);
        }

        int top = boc[boc.length - 1];
        int topHeads = c.numAttentionHeads()[boc.length - 1];
        midBlock = register("mid_block", new MidBlock(init, top, timeDim, topHeads, c));

        upBlocks = register("up_blocks", new ModuleList<>());
        int[] rev = reversed(boc);
        int[] revHeads = reversed(c.numAttentionHeads());
        int[] revLayers = reversed(c.transformerLayersPerBlock());
        output = rev[0];
        for (int i = 0; i < rev.length; i++) {
            boolean last = i == rev.length - 1;
            int prev = output;
            output = rev[i];
            int input = rev[Math.min(i + 1, rev.length - 1)];
            boolean attn = c.upBlockTypes()[i].equals("CrossAttnUpBlock2D");
            if (!attn && !c.upBlockTypes()[i].equals("UpBlock2D")) {
                throw new EngineException("unet config: unsupported up block type " + c.upBlockTypes()[i]);
            }
            Block b = new Block(true);
            int n = c.layersPerBlock() + 1;
            for (int j = 0; j < n; j++) {
                int skip = j == n - 1 ? input : output;
                int resIn = j == 0 ? prev : output;
                b.resnets.add(new ResnetBlock2D(init, resIn + skip, output, timeDim, g, eps));
                if (attn) {
                    b.attentions.add(new Transformer2DModel(init, revHeads[i], output / revHeads[i], output,
                            revLayers[i], c));
                }
            }
            b.finish(attn);
            if (!last) {
                b.upsamplers.add(new Upsample2D(init, output, output));
            }
            upBlocks.add(b);
        }
        convNormOut = register("conv_norm_out", new GroupNorm(init, g, boc[0], eps));
        convOut = register("conv_out", new Conv2d(init, boc[0], c.outChannels(), 3, 1, 1));
    }

    private static int[] reversed(int[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    /** diffusers' {@code get_timestep_embedding}: [B] timesteps → [B, dim] sinusoidal features (float32). */
    public NDArray timeProj(NDManager scope, double[] timesteps) {
        int dim = config.blockOutChannels()[0];
        int half = dim / 2;
        float[] out = new float[timesteps.length * dim];
        NDArray exponent = scope.arange(0, half, 1, DataType.FLOAT32).mul((float) -Math.log(10000))
                .div((float) (half - config.freqShift()));
        float[] freqs = exponent.exp().toFloatArray();
        for (int b = 0; b < timesteps.length; b++) {
            float t = (float) timesteps[b];
            for (int i = 0; i < half; i++) {
                float arg = t * freqs[i];
                float s = (float) Math.sin(arg);
                float co = (float) Math.cos(arg);
                int base = b * dim;
                if (config.flipSinToCos()) {
                    out[base + i] = co;
                    out[base + half + i] = s;
                } else {
                    out[base + i] = s;
                    out[base + half + i] = co;
                }
            }
        }
        return scope.create(out, new Shape(timesteps.length, dim));
    }

    /**
     * One denoising evaluation.
     *
     * @param sample noisy latents [B, 4, h, w]
     * @param timestep the timestep (broadcast over the batch; float for Euler-type samplers)
     * @param context text embeddings [B, 77, crossDim]
     */
    public NDArray forward(NDManager scope, NDArray sample, double timestep, NDArray context) {
        return forward(scope, sample, timestep, context, null);
    }

    /** As {@link #forward(NDManager, NDArray, double, NDArray)}, reporting named intermediates (for tests). */
    public NDArray forward(NDManager scope, NDArray sample, double timestep, NDArray context,
                           BiConsumer<String, NDArray> hook) {
        long b = sample.getShape().get(0);
        double[] ts = new double[(int) b];
        Arrays.fill(ts, timestep);
        return forward(scope, sample, ts, context, hook);
    }

    /** Per-sample timesteps (training). */
    public NDArray forward(NDManager scope, NDArray sample, double[] timesteps, NDArray context,
                           BiConsumer<String, NDArray> hook) {
        BiConsumer<String, NDArray> h = hook == null ? (k, v) -> { } : hook;
        NDArray tEmb = timeProj(scope, timesteps).toType(sample.getDataType(), false);
        h.accept("time_proj", tEmb);
        NDArray emb = timeLinear2.forward(scope, Activations.silu(timeLinear1.forward(scope, tEmb)));
        h.accept("time_embedding", emb);

        NDArray x = convIn.forward(scope, sample);
        h.accept("conv_in", x);
        List<NDArray> res = new ArrayList<>();
        res.add(x);
        for (int i = 0; i < downBlocks.size(); i++) {
            Block blk = downBlocks.get(i);
            for (int j = 0; j < blk.resnets.size(); j++) {
                x = blk.resnets.get(j).forward(scope, x, emb);
                if (blk.hasAttention) {
                    x = blk.attentions.get(j).forward(scope, x, context);
                }
                res.add(x);
            }
            if (blk.downsamplers.size() > 0) {
                x = blk.downsamplers.get(0).forward(scope, x);
                res.add(x);
            }
            h.accept("down_blocks." + i, x);
        }
        x = midBlock.forward(scope, x, emb, context);
        h.accept("mid_block", x);
        for (int i = 0; i < upBlocks.size(); i++) {
            Block blk = upBlocks.get(i);
            for (int j = 0; j < blk.resnets.size(); j++) {
                NDArray skip = res.remove(res.size() - 1);
                x = NDArrays.concat(new NDList(x, skip), 1);
                x = blk.resnets.get(j).forward(scope, x, emb);
                if (blk.hasAttention) {
                    x = blk.attentions.get(j).forward(scope, x, context);
                }
            }
            if (blk.upsamplers.size() > 0) {
                Shape target = res.get(res.size() - 1).getShape();
                x = blk.upsamplers.get(0).forward(scope, x, target.get(2), target.get(3));
            }
            h.accept("up_blocks." + i, x);
        }
        x = convNormOut.forward(scope, x);
        h.accept("conv_norm_out", x);
        x = convOut.forward(scope, Activations.silu(x));
        h.accept("conv_out", x);
        return x;
    }

    /** A down or up block: resnets, optional attentions, optional down/upsampler. */
    static final class Block extends Module {
        final ModuleList<ResnetBlock2D> resnets = new ModuleList<>();
        final ModuleList<Transformer2DModel> attentions = new ModuleList<>();
        final ModuleList<Downsample2D> downsamplers = new ModuleList<>();
        final ModuleList<Upsample2D> upsamplers = new ModuleList<>();
        final boolean up;
        boolean hasAttention;

        Block(boolean up) {
            this.up = up;
        }

        /** Registers the children in diffusers' order (attentions, resnets, samplers). */
        void finish(boolean attn) {
            hasAttention = attn;
            if (attn) {
                register("attentions", attentions);
            }
            register("resnets", resnets);
            if (up) {
                register("upsamplers", upsamplers);
            } else {
                register("downsamplers", downsamplers);
            }
        }
    }

    /** {@code UNetMidBlock2DCrossAttn}: resnet, transformer, resnet. */
    static final class MidBlock extends Module {
        final ModuleList<Transformer2DModel> attentions;
        final ModuleList<ResnetBlock2D> resnets;

        MidBlock(Init init, int ch, int timeDim, int heads, Config c) {
            float eps = (float) c.normEps();
            attentions = register("attentions", new ModuleList<>());
            attentions.add(new Transformer2DModel(init, heads, ch / heads, ch,
                    c.transformerLayersPerBlock()[c.transformerLayersPerBlock().length - 1], c));
            resnets = register("resnets", new ModuleList<>());
            resnets.add(new ResnetBlock2D(init, ch, ch, timeDim, c.normNumGroups(), eps));
            resnets.add(new ResnetBlock2D(init, ch, ch, timeDim, c.normNumGroups(), eps));
        }

        NDArray forward(NDManager scope, NDArray x, NDArray emb, NDArray context) {
            x = resnets.get(0).forward(scope, x, emb);
            x = attentions.get(0).forward(scope, x, context);
            return resnets.get(1).forward(scope, x, emb);
        }
    }

    /** {@code Transformer2DModel}: GroupNorm, proj_in (1×1 conv or linear), transformer blocks, proj_out, residual. */
    static final class Transformer2DModel extends Module {
        final GroupNorm norm;
        final Module projIn;
        final ModuleList<BasicTransformerBlock> blocks;
        final Module projOut;
        final boolean linear;

        Transformer2DModel(Init init, int heads, int headDim, int channels, int layers, Config c) {
            linear = c.useLinearProjection();
            int inner = heads * headDim;
            norm = register("norm", new GroupNorm(init, c.normNumGroups(), channels, 1e-6f));
            projIn = register("proj_in", linear ? new Linear(init, channels, inner, true)
                    : new Conv2d(init, channels, inner, 1, 1, 0));
            blocks = register("transformer_blocks", new ModuleList<>());
            for (int i = 0; i < layers; i++) {
                blocks.add(new BasicTransformerBlock(init, inner, heads, headDim, c.crossAttentionDim(),
                        c.upcastAttention()));
            }
            projOut = register("proj_out", linear ? new Linear(init, inner, channels, true)
                    : new Conv2d(init, inner, channels, 1, 1, 0));
        }

        NDArray forward(NDManager scope, NDArray x, NDArray context) {
            long b = x.getShape().get(0);
            long ch = x.getShape().get(1);
            long hh = x.getShape().get(2);
            long ww = x.getShape().get(3);
            NDArray h = norm.forward(scope, x);
            long inner;
            if (!linear) {
                h = ((Conv2d) projIn).forward(scope, h);
                inner = h.getShape().get(1);
                h = h.transpose(0, 2, 3, 1).reshape(b, hh * ww, inner);
            } else {
                h = h.transpose(0, 2, 3, 1).reshape(b, hh * ww, ch);
                h = ((Linear) projIn).forward(scope, h);
                inner = h.getShape().get(2);
            }
            for (BasicTransformerBlock blk : blocks.items()) {
                h = blk.forward(scope, h, context);
            }
            if (!linear) {
                h = h.reshape(b, hh, ww, inner).transpose(0, 3, 1, 2);
                h = ((Conv2d) projOut).forward(scope, h);
            } else {
                h = ((Linear) projOut).forward(scope, h);
                h = h.reshape(b, hh, ww, ch).transpose(0, 3, 1, 2);
            }
            return h.add(x);
        }
    }

    /** Self-attention, cross-attention and GEGLU feed-forward, each pre-norm with a residual. */
    static final class BasicTransformerBlock extends Module {
        final LayerNorm norm1;
        final Attention attn1;
        final LayerNorm norm2;
        final Attention attn2;
        final LayerNorm norm3;
        final Linear geglu;
        final Linear ffOut;

        BasicTransformerBlock(Init init, int dim, int heads, int headDim, int crossDim, boolean upcast) {
            norm1 = register("norm1", new LayerNorm(init, dim, 1e-5f));
            attn1 = register("attn1", new Attention(init, dim, dim, heads, headDim, false, 0, 0f, upcast));
            norm2 = register("norm2", new LayerNorm(init, dim, 1e-5f));
            attn2 = register("attn2", new Attention(init, dim, crossDim, heads, headDim, false, 0, 0f, upcast));
            norm3 = register("norm3", new LayerNorm(init, dim, 1e-5f));
            Container ff = register("ff", new Container());
            ModuleList<Module> net = ff.add("net", new ModuleList<>());
            Container net0 = (Container) net.add(
                    new Container());
            geglu = net0.add("proj", new Linear(init, dim, dim * 4L * 2, true));
            net.add(new Container()); // net.1 is dropout: no parameters
            ffOut = (Linear) net.add(new Linear(init, dim * 4L, dim, true));
        }

        NDArray forward(NDManager scope, NDArray x, NDArray context) {
            x = attn1.forward(scope, norm1.forward(scope, x), null).add(x);
            x = attn2.forward(scope, norm2.forward(scope, x), context).add(x);
            NDArray proj = geglu.forward(scope, norm3.forward(scope, x));
            NDList parts = proj.split(2, proj.getShape().dimension() - 1);
            NDArray hidden = parts.get(0).mul(Activations.gelu(parts.get(1)));
            return ffOut.forward(scope, hidden).add(x);
        }
    }
}
