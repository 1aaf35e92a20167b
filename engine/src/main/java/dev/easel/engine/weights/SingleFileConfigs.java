package dev.easel.engine.weights;

import dev.easel.engine.EngineException;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.models.unet.DownBlockType;
import dev.easel.engine.models.unet.UpBlockType;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.SchedulerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Infers the model configs of an original single-file checkpoint from its tensor shapes (SD 1.x: 8 heads per
 * block; SD 2.x, recognised by its OpenCLIP text encoder or a 1024-wide cross-attention: 64-channel heads, linear
 * projections, attention upcast to float32).
 *
 * <p>What shapes cannot tell is decided as diffusers' {@code from_single_file} decides it: an SD 2.x file predicts v
 * at 768 pixels unless its {@code global_step} is 875,000 (SD 2.0/2.1-base: ε at 512) — a rule diffusers itself calls
 * brittle, so {@code --prediction-type} overrides it — and its UNet upcasts attention, as the
 * stabilityai/stable-diffusion-2-1 config diffusers takes for every SD 2.x file does.
 */
public final class SingleFileConfigs {

    private SingleFileConfigs() {}

    private static long[] shape(TensorFile f, String key) {
        return f.shape(key);
    }

    /** The {@code global_step} of SD 2.0/2.1-base, diffusers' sign of an ε-prediction SD 2.x file at 512 pixels. */
    public static final long SD2_BASE_GLOBAL_STEP = 875_000;

    /** Whether {@code f} is an SD 2.x checkpoint: an OpenCLIP text encoder, or a 1024-wide cross-attention. */
    public static boolean sd2(TensorFile f) {
        if (OpenClipKeys.present(f)) {
            return true;
        }
        String key = LdmKeys.UNET + "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight";
        return f.contains(key) && shape(f, key)[1] == 1024;
    }

    /** Whether an SD 2.x file is a v-prediction model (every one but the 512 base, see the class comment). */
    private static boolean vPrediction(TensorFile f) {
        return sd2(f) && f.globalStep().orElse(-1) != SD2_BASE_GLOBAL_STEP;
    }

    /** The scheduler: SD's DDIM settings, predicting v for SD 2.x v-models. */
    public static SchedulerConfig scheduler(TensorFile f) {
        return vPrediction(f)
                ? SchedulerConfig.sd1().withPredictionType(PredictionType.V_PREDICTION)
                : SchedulerConfig.sd1();
    }

    public static UNet2DConditionModel.Config unet(TensorFile f) {
        String p = LdmKeys.UNET;
        long[] convIn = shape(f, p + "input_blocks.0.0.weight");
        int firstOp = -1;
        for (int n = 1; n < 64; n++) {
            if (f.contains(p + "input_blocks." + n + ".0.op.weight")) {
                firstOp = n;
                break;
            }
        }
        if (firstOp < 2) {
            throw new EngineException(f.file() + ": cannot infer the UNet layout (no downsampler keys)");
        }
        int layers = firstOp - 1;
        List<Integer> channels = new ArrayList<>();
        List<Boolean> attn = new ArrayList<>();
        for (int i = 0; ; i++) {
            String res = p + "input_blocks." + (1 + i * (layers + 1)) + ".0.";
            if (!f.contains(res + "in_layers.2.weight")) {
                break;
            }
            channels.add((int) shape(f, res + "in_layers.2.weight")[0]);
            attn.add(f.contains(p + "input_blocks." + (1 + i * (layers + 1)) + ".1.proj_in.weight"));
        }
        int n = channels.size();
        String anyAttn = null;
        for (String k : f.keys()) {
            if (k.startsWith(p) && k.endsWith("attn2.to_k.weight")) {
                anyAttn = k;
                break;
            }
        }
        if (anyAttn == null) {
            throw new EngineException(f.file() + ": cannot infer the UNet layout (no cross-attention keys)");
        }
        int crossDim = (int) shape(f, anyAttn)[1];
        String projIn = anyAttn.substring(0, anyAttn.indexOf("transformer_blocks.")) + "proj_in.weight";
        boolean linear = shape(f, projIn).length == 2;
        int tl = 0;
        String firstAttn = anyAttn.substring(0, anyAttn.indexOf("transformer_blocks."));
        while (f.contains(firstAttn + "transformer_blocks." + tl + ".attn2.to_k.weight")) {
            tl++;
        }
        boolean sd2 = sd2(f);
        int[] boc = channels.stream().mapToInt(Integer::intValue).toArray();
        int[] heads = new int[n];
        DownBlockType[] down = new DownBlockType[n];
        UpBlockType[] up = new UpBlockType[n];
        int[] tlpb = new int[n];
        for (int i = 0; i < n; i++) {
            heads[i] = sd2 ? Math.max(1, boc[i] / 64) : 8;
            down[i] = attn.get(i) ? DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D : DownBlockType.DOWN_BLOCK_2D;
            up[n - 1 - i] = attn.get(i) ? UpBlockType.CROSS_ATTN_UP_BLOCK_2D : UpBlockType.UP_BLOCK_2D;
            tlpb[i] = tl;
        }
        int outChannels = (int) shape(f, p + "out.2.weight")[0];
        return new UNet2DConditionModel.Config(
                (int) convIn[1],
                outChannels,
                boc,
                down,
                up,
                layers,
                crossDim,
                heads,
                tlpb,
                32,
                1e-5,
                true,
                0,
                linear,
                sd2,
                vPrediction(f) ? 96 : 64);
    }

    public static AutoencoderKL.Config vae(TensorFile f) {
        String p = LdmKeys.VAE;
        List<Integer> channels = new ArrayList<>();
        for (int i = 0; f.contains(p + "encoder.down." + i + ".block.0.conv1.weight"); i++) {
            channels.add((int) shape(f, p + "encoder.down." + i + ".block.0.conv1.weight")[0]);
        }
        if (channels.isEmpty()) {
            throw new EngineException(f.file() + ": missing key " + p + "encoder.down.0.block.0.conv1.weight");
        }
        int layers = 0;
        while (f.contains(p + "encoder.down.0.block." + layers + ".conv1.weight")) {
            layers++;
        }
        int latent = (int) shape(f, p + "post_quant_conv.weight")[0];
        int in = (int) shape(f, p + "encoder.conv_in.weight")[1];
        int out = (int) shape(f, p + "decoder.conv_out.weight")[0];
        return new AutoencoderKL.Config(
                in, out, latent, channels.stream().mapToInt(Integer::intValue).toArray(), layers, 32, 0.18215, 512);
    }

    public static ClipTextModel.Config text(TensorFile f) {
        if (OpenClipKeys.present(f)) {
            return OpenClipKeys.config(f);
        }
        String p = LdmKeys.TEXT + "text_model.";
        if (!f.contains(p + "embeddings.token_embedding.weight")) {
            throw new EngineException(f.file() + ": missing key " + p + "embeddings.token_embedding.weight");
        }
        long[] tok = shape(f, p + "embeddings.token_embedding.weight");
        long[] pos = shape(f, p + "embeddings.position_embedding.weight");
        int layers = 0;
        while (f.contains(p + "encoder.layers." + layers + ".mlp.fc1.weight")) {
            layers++;
        }
        int inter = (int) shape(f, p + "encoder.layers.0.mlp.fc1.weight")[0];
        int hidden = (int) tok[1];
        return new ClipTextModel.Config(
                (int) tok[0], hidden, inter, layers, Math.max(1, hidden / 64), (int) pos[0], "quick_gelu", 1e-5, 2);
    }
}
