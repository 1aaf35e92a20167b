package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import org.junit.jupiter.api.Test;

/** Configs of other SD-shaped models build and run: SD 2.x linear projections, per-block heads, gelu CLIP. */
class ModelConfigTest {

    @Test
    void sd2StyleUnetConfig() throws Exception {
        String json = "{\"block_out_channels\":[32,64,64],\"down_block_types\":[\"CrossAttnDownBlock2D\","
                + "\"CrossAttnDownBlock2D\",\"DownBlock2D\"],\"up_block_types\":[\"UpBlock2D\",\"CrossAttnUpBlock2D\","
                + "\"CrossAttnUpBlock2D\"],\"attention_head_dim\":[2,4,4],\"use_linear_projection\":true,"
                + "\"upcast_attention\":true,\"cross_attention_dim\":48,\"layers_per_block\":1,"
                + "\"norm_num_groups\":32,\"sample_size\":8}";
        UNet2DConditionModel.Config c = UNet2DConditionModel.Config.fromJson(new ObjectMapper().readTree(json));
        assertArrayEquals(new int[] {2, 4, 4}, c.numAttentionHeads());
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel u = new UNet2DConditionModel(Init.random(m), c);
            assertEquals(
                    2,
                    u.parameters()
                            .get("down_blocks.0.attentions.0.proj_in.weight")
                            .getShape()
                            .dimension());
            assertEquals(
                    new Shape(64, 48),
                    u.parameters()
                            .get("up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight")
                            .getShape());
            NDArray out =
                    u.forward(m, m.randomNormal(new Shape(1, 4, 12, 8)), 500, m.randomNormal(new Shape(1, 77, 48)));
            assertEquals(new Shape(1, 4, 12, 8), out.getShape());
            // odd latent sizes: the upsampler follows the skip connection's size
            NDArray odd =
                    u.forward(m, m.randomNormal(new Shape(1, 4, 13, 9)), 500, m.randomNormal(new Shape(1, 77, 48)));
            assertEquals(new Shape(1, 4, 13, 9), odd.getShape());
        }
    }

    @Test
    void unsupportedUnetConfigIsRefused() throws Exception {
        String json = "{\"class_embed_type\":\"timestep\"}";
        EngineException e = assertThrows(
                EngineException.class, () -> UNet2DConditionModel.Config.fromJson(new ObjectMapper().readTree(json)));
        assertEquals(true, e.getMessage().contains("class_embed_type"));
    }

    @Test
    void geluClipConfig() throws Exception {
        String json = "{\"vocab_size\":100,\"hidden_size\":16,\"intermediate_size\":20,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":2,\"hidden_act\":\"gelu\",\"eos_token_id\":99}";
        ClipTextModel.Config c = ClipTextModel.Config.fromJson(new ObjectMapper().readTree(json));
        try (NDManager m = NDManager.newBaseManager()) {
            ClipTextModel t = new ClipTextModel(Init.random(m), c);
            long[] ids = new long[77];
            java.util.Arrays.fill(ids, 99);
            ids[0] = 98;
            ids[1] = 5;
            ClipTextModel.Output o = t.forward(m, m.create(ids, new Shape(1, 77)));
            assertEquals(new Shape(1, 77, 16), o.lastHiddenState().getShape());
            assertEquals(3, o.hiddenStates().size());
            // pooled = the first eos position (index 2)
            assertArrayEquals(
                    o.lastHiddenState().get("0, 2").toFloatArray(),
                    o.pooled().get(0).toFloatArray());
        }
    }
}
