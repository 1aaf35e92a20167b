package dev.easel.engine.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.Reference;
import dev.easel.engine.nn.FlopCounter;
import dev.easel.engine.nn.Init;
import org.junit.jupiter.api.Test;

/** The analytic count equals what the layers count while a real forward pass runs. */
class UNetFlopsTest {

    @Test
    void theReferenceUNetCountsAsItsForwardPass() {
        UNet2DConditionModel.Config tiny =
                Configs.read(Reference.model().resolve("unet/config.json"), UNet2DConditionModel.Config::fromJson);
        assertCountedEqualsAnalytic(tiny, 2, 8, 8);
        assertCountedEqualsAnalytic(tiny, 1, 5, 7); // odd sizes: the down path rounds up, the up path comes back
    }

    @Test
    void threeLevelsLinearProjectionAndTwoTransformerLayersToo() throws Exception {
        UNet2DConditionModel.Config config = UNet2DConditionModel.Config.fromJson(new ObjectMapper().readTree("""
                {"block_out_channels": [16, 32, 32], "layers_per_block": 1, "cross_attention_dim": 24,
                 "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
                 "attention_head_dim": [2, 4, 4], "transformer_layers_per_block": 2,
                 "use_linear_projection": true, "norm_num_groups": 8}"""));
        assertCountedEqualsAnalytic(config, 3, 9, 6);
    }

    private static void assertCountedEqualsAnalytic(
            UNet2DConditionModel.Config config, int batch, int height, int width) {
        try (NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = new UNet2DConditionModel(Init.random(manager), config);
            NDArray sample =
                    manager.randomNormal(new Shape(batch, config.inChannels(), height, width), DataType.FLOAT32);
            NDArray context = manager.randomNormal(new Shape(batch, 77, config.crossAttentionDim()), DataType.FLOAT32);
            FlopCounter.start();
            try {
                unet.forward(manager, sample, 500, context);
            } finally {
                long counted = FlopCounter.stop();
                assertEquals(
                        counted,
                        UNetFlops.perStep(config, batch, height, width, 77),
                        batch + "×" + height + "×" + width);
            }
        }
    }
}
