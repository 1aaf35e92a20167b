package dev.easel.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One LoRA written in each shared layout gives the same image, and that image equals the base model with the update
 * merged into its weights (W + weight · alpha/rank · B·A) — linear layers, 1×1 and 3×3 convolutions (LoCon) and the
 * text encoder's attention and MLP included — which is what diffusers' {@code load_lora_weights} computes.
 */
class LoraFormatsTest {

    /** Layer path, rank, alpha: attention, 1×1 proj_in, a resnet's 3×3 conv, the down-sampler, text attn + MLP. */
    private static final List<Object[]> LAYERS = List.of(
            new Object[] {"unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k", 2, 1.0},
            new Object[] {"unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0", 2, 1.0},
            new Object[] {"unet.down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2", 4, 2.0},
            new Object[] {"unet.down_blocks.0.attentions.0.proj_in", 3, 3.0},
            new Object[] {"unet.up_blocks.0.resnets.1.conv1", 2, 1.5},
            new Object[] {"unet.down_blocks.0.downsamplers.0.conv", 2, 2.0},
            new Object[] {"unet.up_blocks.0.resnets.0.conv_shortcut", 2, 2.0},
            new Object[] {"text_encoder.text_model.encoder.layers.1.self_attn.v_proj", 2, 1.0},
            new Object[] {"text_encoder.text_model.encoder.layers.2.mlp.fc1", 2, 0.5});

    private static final GenerationSettings PROMPT = GenerationSettings.builder()
            .prompt("a red circle")
            .steps(3)
            .size(32, 32)
            .seed(7)
            .build();

    @TempDir
    static Path folder;

    static StableDiffusionPipeline pipe;
    static NDManager tensors;
    /** Layer path → {down, up} in Kohya's shapes (4-D for convolutions). */
    static Map<String, NDArray[]> lora = new LinkedHashMap<>();

    @BeforeAll
    static void writeFiles() {
        pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
        tensors = NDManager.newBaseManager();
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.putAll(prefixed("unet.", pipe.unet().parameters()));
        params.putAll(prefixed("text_encoder.", pipe.textEncoder().parameters()));
        tensors.getEngine().setRandomSeed(11);
        Map<String, NDArray> kohya = new LinkedHashMap<>();
        Map<String, NDArray> peft = new LinkedHashMap<>();
        Map<String, NDArray> ldmKohya = new LinkedHashMap<>();
        for (Object[] l : LAYERS) {
            String path = (String) l[0];
            int rank = (int) l[1];
            Shape w = params.get(path + ".weight").getShape();
            Shape downShape =
                    w.dimension() == 4 ? new Shape(rank, w.get(1), w.get(2), w.get(3)) : new Shape(rank, w.get(1));
            Shape upShape = w.dimension() == 4 ? new Shape(w.get(0), rank, 1, 1) : new Shape(w.get(0), rank);
            NDArray down = tensors.randomNormal(0, 0.3f, downShape, ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray up = tensors.randomNormal(0, 0.3f, upShape, ai.djl.ndarray.types.DataType.FLOAT32);
            lora.put(path, new NDArray[] {down, up});
            String k = LoraLayers.kohyaName(path);
            kohya.put(k + ".lora_down.weight", down);
            kohya.put(k + ".lora_up.weight", up);
            kohya.put(k + ".alpha", tensors.create((float) (double) l[2]));
            peft.put(path + ".lora_A.weight", down);
            peft.put(path + ".lora_B.weight", up);
        }
        SafeTensors.write(kohya, Map.of(), folder.resolve("kohya.safetensors"));
        // PEFT files carry no alpha per layer: alpha = rank, so fold alpha/rank into B for the same update.
        for (Object[] l : LAYERS) {
            String path = (String) l[0];
            peft.put(path + ".lora_B.weight", lora.get(path)[1].mul((double) l[2] / (int) l[1]));
        }
        SafeTensors.write(peft, Map.of(), folder.resolve("peft.safetensors"));
        // Kohya under the original UNet names (input_blocks_…), as some trainers write it.
        kohya.forEach((key, value) -> ldmKohya.put(
                key.replace("lora_unet_down_blocks_0_attentions_0_", "lora_unet_input_blocks_1_1_")
                        .replace("lora_unet_up_blocks_0_resnets_1_conv1", "lora_unet_output_blocks_1_0_in_layers_2")
                        .replace("lora_unet_down_blocks_0_downsamplers_0_conv", "lora_unet_input_blocks_3_0_op")
                        .replace(
                                "lora_unet_up_blocks_0_resnets_0_conv_shortcut",
                                "lora_unet_output_blocks_0_0_skip_connection")
                        .replace("lora_te_", "lora_te1_"),
                value));
        SafeTensors.write(ldmKohya, Map.of(), folder.resolve("kohya-ldm.safetensors"));
    }

    private static Map<String, NDArray> prefixed(String prefix, Map<String, NDArray> m) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    @AfterAll
    static void close() {
        tensors.close();
        pipe.close();
    }

    private static float[] latents() {
        return pipe.txt2img(PROMPT).finalLatents().data();
    }

    @Test
    void everyLayoutEqualsTheMergedWeights() {
        float[] base = latents();
        float[] merged = withMergedWeights(0.8);
        assertTrue(maxDiff(base, merged) > 1e-3, "the LoRA changes the image");
        for (String name : List.of("kohya", "peft", "kohya-ldm")) {
            LoraNetwork network = pipe.loadLora(folder.resolve(name + ".safetensors"), 0.8);
            try {
                assertEquals(LAYERS.size(), network.size(), name);
                assertEquals(List.of(), network.unmatched(), name);
                assertArrayEquals(merged, latents(), 2e-4f, name);
            } finally {
                network.remove();
            }
        }
        assertArrayEquals(base, latents(), 0f, "removed: the model is as it was");
    }

    /** The reference: the update written into the weights themselves, computed here with plain matmuls. */
    private static float[] withMergedWeights(double weight) {
        Map<String, NDArray> originals = new LinkedHashMap<>();
        try {
            for (Object[] l : LAYERS) {
                String path = (String) l[0];
                boolean text = path.startsWith("text_encoder.");
                var module = text ? pipe.textEncoder() : pipe.unet();
                String name = path.substring(path.indexOf('.') + 1) + ".weight";
                NDArray w = module.parameters().get(name);
                NDArray down = lora.get(path)[0];
                NDArray up = lora.get(path)[1];
                long rank = down.getShape().get(0);
                NDArray delta = up.reshape(up.getShape().get(0), rank)
                        .matMul(down.reshape(rank, -1))
                        .mul(weight * (double) l[2] / (int) l[1])
                        .reshape(w.getShape());
                originals.put(path, w.duplicate());
                module.setParameter(name, w.add(delta));
            }
            return latents();
        } finally {
            originals.forEach((path, w) -> {
                var module = path.startsWith("text_encoder.") ? pipe.textEncoder() : pipe.unet();
                module.setParameter(path.substring(path.indexOf('.') + 1) + ".weight", w);
            });
        }
    }

    @Test
    void unknownKeysAreReportedAndOtherFamiliesRefused() throws Exception {
        Map<String, NDArray> extra = new LinkedHashMap<>();
        extra.put(
                "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight",
                lora.get("unet.down_blocks.0.attentions.0.proj_in")[0]);
        extra.put(
                "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight",
                lora.get("unet.down_blocks.0.attentions.0.proj_in")[1]);
        extra.put("lora_unet_down_blocks_9_attentions_0_proj_in.lora_down.weight", tensors.ones(new Shape(2, 2)));
        extra.put("lora_unet_down_blocks_9_attentions_0_proj_in.lora_up.weight", tensors.ones(new Shape(2, 2)));
        Path file = folder.resolve("extra.safetensors");
        SafeTensors.write(extra, Map.of(), file);
        LoraNetwork network = pipe.loadLora(file, 1);
        network.remove();
        assertEquals(2, network.unmatched().size());
        assertTrue(
                network.unmatchedNote(file).startsWith("2 keys of extra.safetensors match no layer of this model"),
                network.unmatchedNote(file));

        float[] base = latents();
        Path sdxl = folder.resolve("sdxl.safetensors");
        Map<String, NDArray> xl = new LinkedHashMap<>(extra);
        xl.put("lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight", tensors.ones(new Shape(2, 2)));
        SafeTensors.write(xl, Map.of(), sdxl);
        var e = assertThrows(EngineException.class, () -> pipe.loadLora(sdxl, 1));
        assertTrue(e.getMessage().contains("an SDXL LoRA"), e.getMessage());

        Path wide = folder.resolve("wide.safetensors");
        SafeTensors.write(
                Map.of(
                        "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight",
                        tensors.ones(new Shape(2, 2048)),
                        "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight",
                        tensors.ones(new Shape(32, 2))),
                Map.of(),
                wide);
        e = assertThrows(EngineException.class, () -> pipe.loadLora(wide, 1));
        assertTrue(e.getMessage().contains("made for another model family"), e.getMessage());

        Path text = folder.resolve("notes.safetensors");
        Files.writeString(text, "not a LoRA");
        e = assertThrows(EngineException.class, () -> pipe.loadLora(text, 1));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
        assertArrayEquals(base, latents(), 0f, "refused files leave the model as it was");
    }

    @Test
    void savesInKohyaLayoutThatLoadsBack() {
        LoraNetwork trained = LoraNetwork.create(pipe.unet(), pipe.textEncoder(), 2, 1, tensors);
        try {
            trained.parameters().forEach((name, t) -> {
                if (name.contains(".up.")) {
                    t.set(tensors.randomNormal(t.getShape()).mul(0.3).toFloatArray());
                }
            });
            float[] withTrained = latents();
            Path file = folder.resolve("trained-kohya.safetensors");
            trained.save(file, LoraFormat.KOHYA);
            trained.setWeight(0);
            try (SafeTensors f = SafeTensors.open(file)) {
                assertTrue(f.contains("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.alpha"));
                assertTrue(f.contains("lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight"));
                assertEquals("2", f.metadata().get("ss_network_dim"));
            }
            LoraNetwork loaded = pipe.loadLora(file, 1);
            assertArrayEquals(withTrained, latents(), 1e-5f);
            loaded.remove();
        } finally {
            trained.remove();
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
