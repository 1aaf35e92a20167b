package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.torch.LibTorch;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One forward of each model against diffusers/transformers, intermediates included (tolerance 1e-4). */
class ModuleParityTest {

    static StableDiffusionPipeline pipe;

    @BeforeAll
    static void load() {
        pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
        LibTorch.setGradMode(false);
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    @Test
    void textEncoder() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = Reference.npy(m, "modules/text_encoder/input_ids.npy");
            ClipTextModel.Output out = pipe.textEncoder().forward(m, ids);
            Reference.assertClose(
                    "last_hidden_state",
                    Reference.npy(m, "modules/text_encoder/last_hidden_state.npy"),
                    out.lastHiddenState(),
                    1e-4);
            Reference.assertClose(
                    "pooler_output", Reference.npy(m, "modules/text_encoder/pooler_output.npy"), out.pooled(), 1e-4);
            NDArray hs = Reference.npy(m, "modules/text_encoder/hidden_states.npy");
            assertEquals(hs.getShape().get(0), out.hiddenStates().size());
            for (int i = 0; i < out.hiddenStates().size(); i++) {
                Reference.assertClose(
                        "hidden_states[" + i + "]",
                        hs.get(i),
                        out.hiddenStates().get(i),
                        1e-4);
            }
        }
    }

    @Test
    void unetWithIntermediates() {
        try (NDManager m = NDManager.newBaseManager()) {
            String d = "modules/unet_int_t/";
            NDArray sample = Reference.npy(m, d + "sample.npy");
            long[] t = Reference.npy(m, d + "timestep.npy").toLongArray();
            NDArray ctx = Reference.npy(m, d + "encoder_hidden_states.npy");
            Map<String, NDArray> acts = new HashMap<>();
            NDArray out = pipe.unet().forward(m, sample, new double[] {t[0], t[1]}, ctx, acts::put);
            for (JsonNodeName n : JsonNodeName.of(
                    Reference.index().path("modules").path("unet").path("intermediates"))) {
                Reference.assertClose(
                        "unet " + n.name, Reference.npy(m, d + "act_" + n.name + ".npy"), acts.get(n.name), 1e-4);
            }
            Reference.assertClose("unet out", Reference.npy(m, d + "out.npy"), out, 1e-4);
        }
    }

    @Test
    void vaeDecodeWithIntermediates() {
        try (NDManager m = NDManager.newBaseManager()) {
            String d = "modules/vae_decode/";
            NDArray z = Reference.npy(m, d + "z.npy");
            Map<String, NDArray> acts = new HashMap<>();
            NDArray out = pipe.vae().decode(m, z, acts::put);
            for (String name : new String[] {
                "post_quant_conv",
                "decoder.conv_in",
                "decoder.mid_block",
                "decoder.up_blocks.0",
                "decoder.up_blocks.1",
                "decoder.conv_norm_out",
                "decoder.conv_out"
            }) {
                Reference.assertClose(
                        "vae " + name, Reference.npy(m, d + "act_" + name + ".npy"), acts.get(name), 1e-4);
            }
            Reference.assertClose("vae out", Reference.npy(m, d + "out.npy"), out, 1e-4);
            assertEquals(DataType.FLOAT32, out.getDataType());
        }
    }

    /** Names from a JSON array. */
    record JsonNodeName(String name) {
        static java.util.List<JsonNodeName> of(com.fasterxml.jackson.databind.JsonNode arr) {
            java.util.List<JsonNodeName> l = new java.util.ArrayList<>();
            arr.forEach(n -> l.add(new JsonNodeName(n.asText())));
            return l;
        }
    }
}
