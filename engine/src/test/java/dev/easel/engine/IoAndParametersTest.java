package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.easel.engine.io.Npy;
import dev.easel.engine.io.Png;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.TorchOps;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.weights.SafeTensors;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy and PNG text chunks round trips; parameter maps saved and restored; gradients through the models. */
class IoAndParametersTest {

    @TempDir
    Path tmp;

    @Test
    void npyRoundTripAndReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.arange(24f).reshape(2, 3, 4);
            Npy.write(a, tmp.resolve("a.npy"));
            NDArray b = Npy.read(tmp.resolve("a.npy"), m);
            assertEquals(new Shape(2, 3, 4), b.getShape());
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            NDArray ids = Reference.npy(m, "modules/text_encoder/input_ids.npy");
            assertEquals(DataType.INT64, ids.getDataType());
            assertEquals(767, ids.toLongArray()[0]);
        }
    }

    @Test
    void pngTextChunks() {
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 2, 0x123456);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a cat\nSteps: 20, Sampler: Euler a");
        text.put("Software", "easel");
        Path f = tmp.resolve("x.png");
        Png.write(img, text, f);
        assertEquals(text, Png.readText(f));
        BufferedImage back = Png.read(f);
        assertEquals(0x123456, back.getRGB(1, 2) & 0xffffff);
    }

    @Test
    void parametersSaveAndRestore() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel.Config c = UNet2DConditionModel.Config.sd1Like(new int[] {32, 64}, 1, 32, 8, 8);
            UNet2DConditionModel a = new UNet2DConditionModel(Init.random(m), c);
            UNet2DConditionModel b = new UNet2DConditionModel(Init.empty(m), c);
            Map<String, NDArray> pa = a.parameters();
            assertTrue(pa.containsKey("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"));
            assertTrue(pa.containsKey("up_blocks.1.resnets.0.conv_shortcut.weight"));
            SafeTensors.write(pa, Map.of("format", "pt"), tmp.resolve("u.safetensors"));
            try (SafeTensors st = SafeTensors.open(tmp.resolve("u.safetensors"))) {
                dev.easel.engine.weights.WeightLoader.load(b, st, null, m, null);
            }
            for (Map.Entry<String, NDArray> e : pa.entrySet()) {
                assertArrayEquals(
                        e.getValue().toFloatArray(),
                        b.parameters().get(e.getKey()).toFloatArray(),
                        0f,
                        e.getKey());
            }
        }
    }

    @Test
    void gradientsFlowThroughFusedOpsAndMatchThePlainPath() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            UNet2DConditionModel.Config c = UNet2DConditionModel.Config.sd1Like(new int[] {32, 64}, 1, 32, 8, 8);
            UNet2DConditionModel unet = new UNet2DConditionModel(Init.random(m), c);
            NDArray x = m.randomNormal(new Shape(2, 4, 8, 8));
            NDArray ctx = m.randomNormal(new Shape(2, 77, 32));
            String key = "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight";
            float[] fused = grad(m, unet, x, ctx, key);
            System.setProperty("easel.attention", "plain");
            System.setProperty("easel.groupnorm", "layernorm");
            float[] plain;
            try {
                plain = grad(m, unet, x, ctx, key);
            } finally {
                System.clearProperty("easel.attention");
                System.clearProperty("easel.groupnorm");
            }
            assertTrue(TorchOps.fusedAttention());
            double norm = 0;
            double diff = 0;
            for (int i = 0; i < fused.length; i++) {
                norm = Math.max(norm, Math.abs(plain[i]));
                diff = Math.max(diff, Math.abs(fused[i] - plain[i]));
            }
            assertTrue(norm > 0, "gradient is zero");
            assertTrue(
                    diff <= 1e-4 * Math.max(1, norm), "fused vs plain gradient diff " + diff + " (norm " + norm + ")");
        }
    }

    private static float[] grad(NDManager m, UNet2DConditionModel unet, NDArray x, NDArray ctx, String key) {
        LibTorch.setGradMode(true);
        NDArray w = unet.parameters().get(key);
        w.setRequiresGradient(true);
        try (NDManager scope = m.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = unet.forward(scope, x, new double[] {10, 500}, ctx, null);
            gc.backward(out.square().mean());
            NDArray g = w.getGradient();
            float[] r = g.toFloatArray();
            g.close();
            LibTorch.zeroGrad(w);
            return r;
        } finally {
            w.setRequiresGradient(false);
        }
    }
}
