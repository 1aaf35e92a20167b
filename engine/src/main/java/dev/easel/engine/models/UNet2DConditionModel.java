package dev.easel.engine.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.unet.BlockSettings;
import dev.easel.engine.models.unet.DownBlock;
import dev.easel.engine.models.unet.DownBlockType;
import dev.easel.engine.models.unet.UNetMidBlock2DCrossAttn;
import dev.easel.engine.models.unet.UpBlock;
import dev.easel.engine.models.unet.UpBlockType;
import dev.easel.engine.nn.Activations;
import dev.easel.engine.nn.Container;
import dev.easel.engine.nn.Conv2d;
import dev.easel.engine.nn.GradientCheckpointing;
import dev.easel.engine.nn.GroupNorm;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * diffusers' {@code UNet2DConditionModel} for Stable Diffusion 1.x/2.x: sinusoidal timestep embedding, then the down
 * blocks, the cross-attention mid block and the up blocks the config's {@code down_block_types} /
 * {@code up_block_types} name (their classes are in {@code models.unet}), then the output convolution. Names equal
 * the weight keys.
 */
public final class UNet2DConditionModel extends Module {

    /** The fields of {@code unet/config.json} this implementation uses. */
    public record Config(
            int inChannels,
            int outChannels,
            int[] blockOutChannels,
            DownBlockType[] downBlockTypes,
            UpBlockType[] upBlockTypes,
            int layersPerBlock,
            int crossAttentionDim,
            int[] numAttentionHeads,
            int[] transformerLayersPerBlock,
            int normNumGroups,
            double normEps,
            boolean flipSinToCos,
            int freqShift,
            boolean useLinearProjection,
            boolean upcastAttention,
            int sampleSize) {

        public static Config fromJson(JsonNode n) {
            for (String unsupported :
                    new String[] {"class_embed_type", "addition_embed_type", "encoder_hid_dim", "time_cond_proj_dim"}) {
                JsonNode v = n.get(unsupported);
                if (v != null && !v.isNull()) {
                    throw new EngineException(
                            "unet config: " + unsupported + "=" + v + " is not supported (SD 1.x/2.x" + " UNets only)");
                }
            }
            if (Configs.bool(n, "only_cross_attention", false) || Configs.bool(n, "dual_cross_attention", false)) {
                throw new EngineException("unet config: only_cross_attention/dual_cross_attention not supported");
            }
            int[] boc = Configs.positiveInts(n, "block_out_channels", new int[] {320, 640, 1280, 1280});
            DownBlockType[] down = Arrays.stream(Configs.strings(n, "down_block_types", new String[] {
                        "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"
                    }))
                    .map(DownBlockType::fromConfig)
                    .toArray(DownBlockType[]::new);
            UpBlockType[] up = Arrays.stream(Configs.strings(n, "up_block_types", new String[] {
                        "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"
                    }))
                    .map(UpBlockType::fromConfig)
                    .toArray(UpBlockType[]::new);
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
                    throw new EngineException(headsKey + " " + h[i] + " does not divide block_out_channels " + boc[i]
                            + "; expected a head count that divides each block's channels");
                }
            }
            return new Config(
                    Configs.positive(n, "in_channels", 4),
                    Configs.positive(n, "out_channels", 4),
                    boc,
                    down,
                    up,
                    Configs.positive(n, "layers_per_block", 2),
                    Configs.positive(n, "cross_attention_dim", 768),
                    h,
                    perBlock(
                            "transformer_layers_per_block",
                            Configs.positiveInts(n, "transformer_layers_per_block", new int[] {1}),
                            boc.length),
                    groups,
                    Configs.positiveNumber(n, "norm_eps", 1e-5),
                    Configs.bool(n, "flip_sin_to_cos", true),
                    Configs.integer(n, "freq_shift", 0),
                    Configs.bool(n, "use_linear_projection", false),
                    Configs.bool(n, "upcast_attention", false),
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
            DownBlockType[] down = new DownBlockType[blockOut.length];
            UpBlockType[] up = new UpBlockType[blockOut.length];
            for (int i = 0; i < blockOut.length; i++) {
                boolean last = i == blockOut.length - 1;
                down[i] = last ? DownBlockType.DOWN_BLOCK_2D : DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D;
                up[i] = i == 0 ? UpBlockType.UP_BLOCK_2D : UpBlockType.CROSS_ATTN_UP_BLOCK_2D;
            }
            int[] hs = new int[blockOut.length];
            Arrays.fill(hs, heads);
            int[] tl = new int[blockOut.length];
            Arrays.fill(tl, 1);
            return new Config(
                    4, 4, blockOut, down, up, layers, crossDim, hs, tl, 32, 1e-5, true, 0, false, false, sampleSize);
        }
    }

    public final Config config;
    private final Linear timeLinear1;
    private final Linear timeLinear2;
    private final Conv2d convIn;
    private final ModuleList<DownBlock> downBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final ModuleList<UpBlock> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    /** Builds the blocks the config names, in diffusers' order (and so with its random initialisation). */
    public UNet2DConditionModel(Init init, Config c) {
        this.config = c;
        int[] boc = c.blockOutChannels();
        int timeDim = boc[0] * 4;
        BlockSettings settings = new BlockSettings(
                timeDim,
                c.normNumGroups(),
                (float) c.normEps(),
                c.crossAttentionDim(),
                c.useLinearProjection(),
                c.upcastAttention());
        convIn = register("conv_in", new Conv2d(init, c.inChannels(), boc[0], 3, 1, 1));
        Container timeEmbedding = register("time_embedding", new Container());
        timeLinear1 = timeEmbedding.add("linear_1", new Linear(init, boc[0], timeDim, true));
        timeLinear2 = timeEmbedding.add("linear_2", new Linear(init, timeDim, timeDim, true));

        downBlocks = register("down_blocks", new ModuleList<>());
        int output = boc[0];
        for (int i = 0; i < boc.length; i++) {
            int input = output;
            output = boc[i];
            boolean last = i == boc.length - 1;
            downBlocks.add(c.downBlockTypes()[i]
                    .factory()
                    .create(
                            init,
                            input,
                            output,
                            c.layersPerBlock(),
                            c.numAttentionHeads()[i],
                            c.transformerLayersPerBlock()[i],
                            !last,
                            settings));
        }

        int top = boc.length - 1;
        midBlock = register(
                "mid_block",
                new UNetMidBlock2DCrossAttn(
                        init, boc[top], c.numAttentionHeads()[top], c.transformerLayersPerBlock()[top], settings));

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
            upBlocks.add(c.upBlockTypes()[i]
                    .factory()
                    .create(
                            init,
                            input,
                            prev,
                            output,
                            c.layersPerBlock() + 1,
                            revHeads[i],
                            revLayers[i],
                            !last,
                            settings));
        }
        convNormOut = register("conv_norm_out", new GroupNorm(init, c.normNumGroups(), boc[0], (float) c.normEps()));
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
        NDArray exponent = scope.arange(0, half, 1, DataType.FLOAT32)
                .mul((float) -Math.log(10000))
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
    public NDArray forward(
            NDManager scope, NDArray sample, double timestep, NDArray context, BiConsumer<String, NDArray> hook) {
        long b = sample.getShape().get(0);
        double[] ts = new double[(int) b];
        Arrays.fill(ts, timestep);
        return forward(scope, sample, ts, context, hook);
    }

    /** Per-sample timesteps (training). */
    public NDArray forward(
            NDManager scope, NDArray sample, double[] timesteps, NDArray context, BiConsumer<String, NDArray> hook) {
        BiConsumer<String, NDArray> h = hook == null ? (k, v) -> {} : hook;
        NDArray tEmb = timeProj(scope, timesteps).toType(sample.getDataType(), false);
        h.accept("time_proj", tEmb);
        NDArray emb = timeLinear2.forward(scope, Activations.silu(timeLinear1.forward(scope, tEmb)));
        h.accept("time_embedding", emb);

        NDArray x = convIn.forward(scope, sample);
        h.accept("conv_in", x);
        // Each block is one segment for gradient checkpointing (diffusers checkpoints per block too); outside a
        // checkpointing region GradientCheckpointing.run just runs it.
        List<NDArray> res = new ArrayList<>();
        res.add(x);
        for (int i = 0; i < downBlocks.size(); i++) {
            DownBlock block = downBlocks.get(i);
            List<NDArray> skips = GradientCheckpointing.run(scope, Arrays.asList(x, emb, context), (s, in) -> {
                List<NDArray> out = new ArrayList<>();
                block.forward(s, in.get(0), in.get(1), in.get(2), out);
                return out;
            });
            res.addAll(skips);
            x = skips.get(skips.size() - 1);
            h.accept("down_blocks." + i, x);
        }
        x = GradientCheckpointing.run(
                        scope,
                        Arrays.asList(x, emb, context),
                        (s, in) -> List.of(midBlock.forward(s, in.get(0), in.get(1), in.get(2))))
                .get(0);
        h.accept("mid_block", x);
        for (int i = 0; i < upBlocks.size(); i++) {
            UpBlock block = upBlocks.get(i);
            List<NDArray> inputs = new ArrayList<>(Arrays.asList(x, emb, context));
            for (int k = 0; k < block.skipCount(); k++) {
                inputs.add(res.remove(res.size() - 1));
            }
            Shape upsampleTo =
                    res.isEmpty() ? null : res.get(res.size() - 1).getShape().slice(2);
            x = GradientCheckpointing.run(
                            scope,
                            inputs,
                            (s, in) -> List.of(block.forward(
                                    s, in.get(0), in.get(1), in.get(2), in.subList(3, in.size()), upsampleTo)))
                    .get(0);
            h.accept("up_blocks." + i, x);
        }
        x = convNormOut.forward(scope, x);
        h.accept("conv_norm_out", x);
        x = convOut.forward(scope, Activations.silu(x));
        h.accept("conv_out", x);
        return x;
    }
}
