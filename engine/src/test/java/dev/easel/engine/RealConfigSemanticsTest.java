package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.models.unet.DownBlockType;
import dev.easel.engine.models.unet.UpBlockType;
import dev.easel.engine.nn.Activations;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.TorchOps;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What SD 2.x's configs mean, each checked against the arithmetic it stands for: {@code upcast_attention} (float32
 * scores from float16 inputs, on the plain and the fused SDPA path; the engine computes in float16 or float32 only —
 * bfloat16 weights are widened on reading), {@code use_linear_projection} (a linear layer is the 1×1 convolution with the
 * same weights), per-level head counts (each level splits into its own count), GELU text encoders (erf GELU, not
 * CLIP's quick GELU). v-prediction with every sampler: {@code SamplerBehaviourTest} (oracle arithmetic) and
 * {@code Sd2SingleFileTest} (the pipeline gives each sampler the model's type); 4-level UNets and VAEs, {@code !}
 * padding: {@code Sd2SingleFileTest}, {@code BundledClipTokenizerTest}.
 */
class RealConfigSemanticsTest {

    private static UNet2DConditionModel.Config unet(int[] heads, boolean linear) {
        DownBlockType ca = DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D;
        UpBlockType cu = UpBlockType.CROSS_ATTN_UP_BLOCK_2D;
        return new UNet2DConditionModel.Config(
                4,
                4,
                new int[] {32, 64, 64},
                new DownBlockType[] {ca, ca, DownBlockType.DOWN_BLOCK_2D},
                new UpBlockType[] {UpBlockType.UP_BLOCK_2D, cu, cu},
                1,
                16,
                heads,
                new int[] {1, 1, 1},
                32,
                1e-5,
                true,
                0,
                linear,
                false,
                8);
    }

    /** Every down block's output of one forward, keyed by level. */
    private static Map<String, float[]> downBlocks(UNet2DConditionModel u, NDManager m, NDArray x, NDArray ctx) {
        Map<String, float[]> out = new HashMap<>();
        u.forward(m, x, 500, ctx, (name, a) -> {
            if (name.startsWith("down_blocks.")) {
                out.put(name, a.toFloatArray());
            }
        });
        return out;
    }

    @Test
    void eachLevelSplitsIntoItsOwnHeadCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel a = new UNet2DConditionModel(Init.random(m), unet(new int[] {1, 2, 2}, true));
            // the same weights (head counts change no shape) with level 1 / level 0 split otherwise
            UNet2DConditionModel b = new UNet2DConditionModel(Init.random(m), unet(new int[] {1, 1, 2}, true));
            UNet2DConditionModel c = new UNet2DConditionModel(Init.random(m), unet(new int[] {2, 2, 2}, true));
            a.parameters().forEach((k, v) -> {
                b.setParameter(k, v.duplicate());
                c.setParameter(k, v.duplicate());
            });
            NDArray x = m.randomNormal(new Shape(1, 4, 8, 8));
            NDArray ctx = m.randomNormal(new Shape(1, 77, 16));
            Map<String, float[]> da = downBlocks(a, m, x, ctx);
            Map<String, float[]> db = downBlocks(b, m, x, ctx);
            Map<String, float[]> dc = downBlocks(c, m, x, ctx);
            assertArrayEquals(da.get("down_blocks.0"), db.get("down_blocks.0"), 0f, "level 0: 1 head in both");
            assertFalse(
                    java.util.Arrays.equals(da.get("down_blocks.1"), db.get("down_blocks.1")),
                    "level 1 uses its own count (2), not another level's");
            assertFalse(
                    java.util.Arrays.equals(da.get("down_blocks.0"), dc.get("down_blocks.0")),
                    "level 0 uses its own count (1), not another level's");
        }
    }

    @Test
    void aLinearProjectionIsTheOneByOneConvolutionWithTheSameWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel linear = new UNet2DConditionModel(Init.random(m), unet(new int[] {1, 2, 2}, true));
            UNet2DConditionModel conv = new UNet2DConditionModel(Init.random(m), unet(new int[] {1, 2, 2}, false));
            int projections = 0;
            for (Map.Entry<String, NDArray> e : linear.parameters().entrySet()) {
                NDArray v = e.getValue();
                Shape target = conv.parameters().get(e.getKey()).getShape();
                if (!v.getShape().equals(target)) {
                    assertTrue(e.getKey().matches(".*\\.proj_(in|out)\\.weight"), e.getKey());
                    projections++;
                }
                conv.setParameter(e.getKey(), v.reshape(target).duplicate());
            }
            assertEquals(2 * 7, projections, "proj_in and proj_out of the 7 attention blocks (2 down, mid, 4 up)");
            NDArray x = m.randomNormal(new Shape(1, 4, 8, 8));
            NDArray ctx = m.randomNormal(new Shape(1, 77, 16));
            float[] a = linear.forward(m, x, 500, ctx).toFloatArray();
            float[] b = conv.forward(m, x, 500, ctx).toFloatArray();
            double worst = 0;
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
            assertTrue(worst < 1e-4, "linear vs 1×1 convolution: " + worst);
        }
    }

    /** q·kᵀ/√d reaches 160,000 in the first row: beyond float16's 65,504. */
    private static float[][] overflowingAttention(SplittableRandom r, int l, int d) {
        float[][] qkv = new float[3][l * d];
        for (int i = 0; i < l * d; i++) {
            qkv[0][i] = (float) (200 * (r.nextBoolean() ? 1 : -1));
            qkv[1][i] = (float) (200 * (r.nextBoolean() ? 1 : -1));
            qkv[2][i] = (float) r.nextDouble(-1, 1);
        }
        for (int j = 0; j < d; j++) {
            qkv[0][j] = 200;
            qkv[1][j] = 200;
        }
        return qkv;
    }

    /** softmax(q·kᵀ/√d)·v in double precision. */
    private static double[] reference(float[][] qkv, int l, int d) {
        double[] out = new double[l * d];
        for (int i = 0; i < l; i++) {
            double[] s = new double[l];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < l; j++) {
                for (int c = 0; c < d; c++) {
                    s[j] += (double) qkv[0][i * d + c] * qkv[1][j * d + c] / Math.sqrt(d);
                }
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            for (int j = 0; j < l; j++) {
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            for (int j = 0; j < l; j++) {
                for (int c = 0; c < d; c++) {
                    out[i * d + c] += s[j] / sum * qkv[2][j * d + c];
                }
            }
        }
        return out;
    }

    private static float[] attention(NDManager m, float[][] qkv, int l, int d, DataType type, boolean upcast) {
        NDArray[] a = new NDArray[3];
        for (int i = 0; i < 3; i++) {
            a[i] = m.create(qkv[i], new Shape(1, 1, l, d)).toType(type, false);
        }
        NDArray out = TorchOps.attention(m, a[0], a[1], a[2], false, upcast);
        assertEquals(type, out.getDataType(), "the result comes back in the model's precision");
        return out.toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Test
    void upcastAttentionComputesTheScoresInFloat32() {
        int l = 6;
        int d = 16;
        float[][] qkv = overflowingAttention(new SplittableRandom(3), l, d);
        double[] expected = reference(qkv, l, d);
        String before = System.getProperty("easel.attention");
        try (NDManager m = NDManager.newBaseManager()) {
            for (String path : new String[] {"plain", "fused"}) {
                System.setProperty("easel.attention", path);
                float[] got = attention(m, qkv, l, d, DataType.FLOAT16, true);
                for (int i = 0; i < got.length; i++) {
                    // v and the result rounded to float16
                    assertEquals(expected[i], got[i], 2e-3, path + " float16 upcast [" + i + "]");
                }
            }
            // without upcasting, float16 scores overflow: what upcast_attention exists for
            System.setProperty("easel.attention", "plain");
            float[] plain = attention(m, qkv, l, d, DataType.FLOAT16, false);
            boolean broken = false;
            for (int i = 0; i < plain.length; i++) {
                broken |= !Float.isFinite(plain[i]) || Math.abs(plain[i] - expected[i]) > 2e-3;
            }
            assertTrue(broken, "float16 scores without upcast should overflow");
        } finally {
            if (before == null) {
                System.clearProperty("easel.attention");
            } else {
                System.setProperty("easel.attention", before);
            }
        }
    }

    /** erf by Abramowitz and Stegun 7.1.26 (error below 1.5e-7). */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1
                - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                        * t
                        * Math.exp(-x * x);
        return Math.signum(x) * y;
    }

    @Test
    void geluTextEncodersUseErfGeluNotQuickGelu() {
        float[] xs = {-3f, -1f, -0.5f, 0f, 0.5f, 1f, 2f, 4f};
        try (NDManager m = NDManager.newBaseManager()) {
            float[] gelu = Activations.apply("gelu", m.create(xs)).toFloatArray();
            float[] quick = Activations.apply("quick_gelu", m.create(xs)).toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                double exact = 0.5 * xs[i] * (1 + erf(xs[i] / Math.sqrt(2)));
                assertEquals(exact, gelu[i], 1e-6, "gelu(" + xs[i] + ")");
                assertEquals(xs[i] / (1 + Math.exp(-1.702 * xs[i])), quick[i], 1e-6, "quick_gelu(" + xs[i] + ")");
            }
            // the text encoder follows its config's hidden_act: same weights, other activation, other output
            ClipTextModel.Config g = new ClipTextModel.Config(100, 16, 32, 2, 2, 77, "gelu", 1e-5, 2);
            ClipTextModel.Config q = new ClipTextModel.Config(100, 16, 32, 2, 2, 77, "quick_gelu", 1e-5, 2);
            ClipTextModel eg = new ClipTextModel(Init.random(m), g);
            ClipTextModel eq = new ClipTextModel(Init.random(m), q);
            eg.parameters().forEach((k, v) -> eq.setParameter(k, v.duplicate()));
            long[] ids = new long[77];
            java.util.Arrays.fill(ids, 2);
            ids[0] = 1;
            ids[1] = 40;
            NDArray input = m.create(ids, new Shape(1, 77));
            float[] a = eg.forward(m, input).lastHiddenState().toFloatArray();
            float[] b = eq.forward(m, input).lastHiddenState().toFloatArray();
            assertFalse(java.util.Arrays.equals(a, b), "hidden_act gelu and quick_gelu gave the same output");
        }
    }
}
