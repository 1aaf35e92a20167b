package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.io.Folders;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.models.unet.DownBlockType;
import dev.easel.engine.models.unet.UpBlockType;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.samplers.TimestepSpacing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a model in diffusers' folder layout — {@code model_index.json}, {@code unet/}, {@code vae/},
 * {@code text_encoder/}, {@code tokenizer/}, {@code scheduler/} with configs as diffusers writes them — so Easel and
 * diffusers both load it. The folder is assembled beside the target and renamed into place.
 */
public final class DiffusersWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIFFUSERS_VERSION = "0.25.1";

    private DiffusersWriter() {}

    /**
     * Writes the pipeline to {@code target}; weights are stored as {@code storeType} (float16 halves the size).
     *
     * @param tokenizerFolder a folder holding vocab.json, merges.txt and the special-token files, copied as is
     */
    public static void write(
            Path target,
            ClipTextModel textEncoder,
            UNet2DConditionModel unet,
            AutoencoderKL vae,
            Path tokenizerFolder,
            SchedulerConfig scheduler,
            DataType storeType) {
        write(target, textEncoder, unet, vae, vae.config, tokenizerFolder, scheduler, storeType);
    }

    /** As above, with the autoencoder's config given (e.g. with a scaling factor measured after training). */
    public static void write(
            Path target,
            ClipTextModel textEncoder,
            UNet2DConditionModel unet,
            AutoencoderKL vae,
            AutoencoderKL.Config vaeConfig,
            Path tokenizerFolder,
            SchedulerConfig scheduler,
            DataType storeType) {
        try {
            Folders.replace(target, staging -> {
                writeJson(staging.resolve("model_index.json"), modelIndex());
                component(
                        staging.resolve("unet"),
                        unetConfig(unet.config),
                        unet.parameters(),
                        "diffusion_pytorch_model.safetensors",
                        storeType);
                component(
                        staging.resolve("vae"),
                        vaeConfig(vaeConfig),
                        vae.parameters(),
                        "diffusion_pytorch_model.safetensors",
                        storeType);
                component(
                        staging.resolve("text_encoder"),
                        textConfig(textEncoder.config),
                        textEncoder.parameters(),
                        "model.safetensors",
                        storeType);
                Path tokenizer = Files.createDirectories(staging.resolve("tokenizer"));
                for (String file :
                        new String[] {"vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json"}) {
                    Files.copy(tokenizerFolder.resolve(file), tokenizer.resolve(file));
                }
                Files.createDirectories(staging.resolve("scheduler"));
                writeJson(staging.resolve("scheduler/scheduler_config.json"), schedulerConfig(scheduler));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the model to " + target + ": " + e.getMessage(), e);
        }
    }

    private static void component(
            Path folder, ObjectNode config, Map<String, NDArray> weights, String file, DataType storeType)
            throws IOException {
        Files.createDirectories(folder);
        writeJson(folder.resolve("config.json"), config);
        try (NDManager scope = NDManager.newBaseManager()) {
            Map<String, NDArray> stored = new LinkedHashMap<>();
            weights.forEach((name, w) -> {
                NDArray cast = w.getDataType() == storeType ? w : w.toType(storeType, true);
                if (cast != w) {
                    cast.attach(scope);
                }
                stored.put(name, cast);
            });
            SafeTensors.write(stored, Map.of("format", "pt"), folder.resolve(file));
        }
    }

    private static ObjectNode modelIndex() {
        ObjectNode index = header("StableDiffusionPipeline");
        index.set("feature_extractor", pair(null, null));
        index.set("safety_checker", pair(null, null));
        index.put("requires_safety_checker", false);
        index.set("scheduler", pair("diffusers", "DDIMScheduler"));
        index.set("text_encoder", pair("transformers", "CLIPTextModel"));
        index.set("tokenizer", pair("transformers", "CLIPTokenizer"));
        index.set("unet", pair("diffusers", "UNet2DConditionModel"));
        index.set("vae", pair("diffusers", "AutoencoderKL"));
        return index;
    }

    static ObjectNode unetConfig(UNet2DConditionModel.Config c) {
        ObjectNode n = header("UNet2DConditionModel");
        n.put("act_fn", "silu");
        n.set("attention_head_dim", ints(c.numAttentionHeads()));
        n.set("block_out_channels", ints(c.blockOutChannels()));
        n.put("center_input_sample", false);
        n.put("cross_attention_dim", c.crossAttentionDim());
        n.set(
                "down_block_types",
                strings(Arrays.stream(c.downBlockTypes())
                        .map(DownBlockType::configName)
                        .toArray(String[]::new)));
        n.put("downsample_padding", 1);
        n.put("flip_sin_to_cos", c.flipSinToCos());
        n.put("freq_shift", c.freqShift());
        n.put("in_channels", c.inChannels());
        n.put("layers_per_block", c.layersPerBlock());
        n.put("mid_block_scale_factor", 1);
        n.put("norm_eps", c.normEps());
        n.put("norm_num_groups", c.normNumGroups());
        n.put("out_channels", c.outChannels());
        n.put("sample_size", c.sampleSize());
        n.set(
                "up_block_types",
                strings(Arrays.stream(c.upBlockTypes())
                        .map(UpBlockType::configName)
                        .toArray(String[]::new)));
        n.put("use_linear_projection", c.useLinearProjection());
        n.put("upcast_attention", c.upcastAttention());
        return n;
    }

    static ObjectNode vaeConfig(AutoencoderKL.Config c) {
        ObjectNode n = header("AutoencoderKL");
        n.put("act_fn", "silu");
        n.set("block_out_channels", ints(c.blockOutChannels()));
        String[] down = new String[c.blockOutChannels().length];
        String[] up = new String[c.blockOutChannels().length];
        Arrays.fill(down, "DownEncoderBlock2D");
        Arrays.fill(up, "UpDecoderBlock2D");
        n.set("down_block_types", strings(down));
        n.set("up_block_types", strings(up));
        n.put("in_channels", c.inChannels());
        n.put("latent_channels", c.latentChannels());
        n.put("layers_per_block", c.layersPerBlock());
        n.put("norm_num_groups", c.normNumGroups());
        n.put("out_channels", c.outChannels());
        n.put("sample_size", c.sampleSize());
        n.put("scaling_factor", c.scalingFactor());
        return n;
    }

    static ObjectNode textConfig(ClipTextModel.Config c) {
        ObjectNode n = JSON.createObjectNode();
        n.set("architectures", JSON.createArrayNode().add("CLIPTextModel"));
        n.put("attention_dropout", 0.0);
        n.put("bos_token_id", c.vocabSize() - 2);
        n.put("eos_token_id", c.eosTokenId());
        n.put("hidden_act", c.hiddenAct());
        n.put("hidden_size", c.hiddenSize());
        n.put("initializer_factor", 1.0);
        n.put("initializer_range", 0.02);
        n.put("intermediate_size", c.intermediateSize());
        n.put("layer_norm_eps", c.layerNormEps());
        n.put("max_position_embeddings", c.maxPositionEmbeddings());
        n.put("model_type", "clip_text_model");
        n.put("num_attention_heads", c.numAttentionHeads());
        n.put("num_hidden_layers", c.numHiddenLayers());
        n.put("pad_token_id", c.vocabSize() - 1);
        n.put("projection_dim", c.hiddenSize());
        n.put("torch_dtype", "float32");
        n.put("vocab_size", c.vocabSize());
        return n;
    }

    private static ObjectNode schedulerConfig(SchedulerConfig s) {
        ObjectNode n = header("DDIMScheduler");
        n.put("beta_end", s.betaEnd());
        n.put("beta_schedule", s.betaSchedule());
        n.put("beta_start", s.betaStart());
        n.put("clip_sample", false);
        n.put("num_train_timesteps", s.numTrainTimesteps());
        n.put("prediction_type", s.predictionType().configName());
        n.put("rescale_betas_zero_snr", s.rescaleBetasZeroSnr());
        n.put("set_alpha_to_one", s.setAlphaToOneOr(true));
        n.put("steps_offset", s.stepsOffset());
        // The base model's spacing travels with it: every sampler takes the file's spacing (as diffusers'
        // from_config does), so a fine-tuned copy without it would sample differently from the model it came from.
        // Zero-terminal-SNR schedules must start at the pure-noise step they were trained on (Lin et al. §3.3).
        TimestepSpacing spacing = s.timestepSpacing() != null
                ? s.timestepSpacing()
                : s.rescaleBetasZeroSnr() ? TimestepSpacing.TRAILING : null;
        if (spacing != null) {
            n.put("timestep_spacing", spacing.configName());
        }
        if (s.useKarrasSigmas()) {
            n.put("use_karras_sigmas", true);
        }
        return n;
    }

    private static ObjectNode header(String className) {
        ObjectNode n = JSON.createObjectNode();
        n.put("_class_name", className);
        n.put("_diffusers_version", DIFFUSERS_VERSION);
        return n;
    }

    private static ArrayNode pair(String library, String className) {
        ArrayNode a = JSON.createArrayNode();
        a.add(library);
        a.add(className);
        return a;
    }

    private static ArrayNode ints(int[] values) {
        ArrayNode a = JSON.createArrayNode();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    private static ArrayNode strings(String[] values) {
        ArrayNode a = JSON.createArrayNode();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }

    private static void writeJson(Path file, ObjectNode node) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), node);
    }
}
