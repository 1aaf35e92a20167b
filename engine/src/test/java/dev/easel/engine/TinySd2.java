package dev.easel.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.models.unet.DownBlockType;
import dev.easel.engine.models.unet.UpBlockType;
import dev.easel.engine.nn.Init;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.tokenizer.BpeTrainer;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.weights.DiffusersWriter;
import dev.easel.engine.weights.LdmKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A tiny model of SD 2.x's architecture with random weights: a 4-level UNet (3 cross-attention levels, then a plain
 * one) with 64-channel heads — so 1, 1, 2, 2 heads per level — linear projections and upcast attention; a 4-level
 * VAE; a 2-layer GELU text encoder with CLIP's 49,408-token vocabulary; v-prediction; the tokenizer pads with
 * {@code !}. Written both as a diffusers folder and as the original single file real SD 2.x downloads are, with
 * the text encoder in OpenCLIP's layout.
 */
final class TinySd2 {

    private TinySd2() {}

    static UNet2DConditionModel.Config unet() {
        DownBlockType ca = DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D;
        UpBlockType cu = UpBlockType.CROSS_ATTN_UP_BLOCK_2D;
        return new UNet2DConditionModel.Config(
                4,
                4,
                new int[] {64, 64, 128, 128},
                new DownBlockType[] {ca, ca, ca, DownBlockType.DOWN_BLOCK_2D},
                new UpBlockType[] {UpBlockType.UP_BLOCK_2D, cu, cu, cu},
                1,
                64,
                new int[] {1, 1, 2, 2},
                new int[] {1, 1, 1, 1},
                32,
                1e-5,
                true,
                0,
                true,
                true,
                96);
    }

    static AutoencoderKL.Config vae() {
        return new AutoencoderKL.Config(3, 3, 4, new int[] {32, 32, 64, 64}, 1, 32, 0.18215, 512);
    }

    static ClipTextModel.Config text() {
        return new ClipTextModel.Config(49408, 64, 128, 2, 1, 77, "gelu", 1e-5, 2);
    }

    static SchedulerConfig scheduler() {
        return SchedulerConfig.sd1().withPredictionType(PredictionType.V_PREDICTION);
    }

    /**
     * Writes the model as a diffusers folder {@code folder} (tokenizer: CLIP's vocabulary padded with {@code !}, as
     * stabilityai/stable-diffusion-2-1's) and as the single file {@code file} with the same weights.
     */
    static void write(Path folder, Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Init init = Init.random(m);
            ClipTextModel text = new ClipTextModel(init, text());
            UNet2DConditionModel unet = new UNet2DConditionModel(init, unet());
            AutoencoderKL vae = new AutoencoderKL(init, vae());
            Path tokenizer = Files.createTempDirectory("tokenizer");
            writeSd2Tokenizer(tokenizer);
            DiffusersWriter.write(folder, text, unet, vae, tokenizer, scheduler(), DataType.FLOAT32);
            LdmKeys.export(text, unet, vae, file, true);
        }
    }

    /** CLIP's vocabulary from the BPE merges in the jar, in a diffusers tokenizer folder, padding with "!". */
    static void writeSd2Tokenizer(Path folder) throws IOException {
        List<String> merges;
        try (InputStream in = ClipTokenizer.class.getResourceAsStream("bpe_simple_vocab_16e6.txt.gz")) {
            String[] lines = new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8).split("\n");
            merges = Arrays.asList(lines).subList(1, 49152 - 256 - 2 + 1);
        }
        new BpeTrainer.Vocabulary(merges).write(folder);
        for (String f : new String[] {"special_tokens_map.json", "tokenizer_config.json"}) {
            Path p = folder.resolve(f);
            String padded = Files.readString(p).replace("\"pad_token\" : \"<|endoftext|>\"", "\"pad_token\" : \"!\"");
            if (!padded.contains("\"pad_token\" : \"!\"")) {
                throw new IllegalStateException("no pad_token in " + p);
            }
            Files.writeString(p, padded);
        }
    }
}
