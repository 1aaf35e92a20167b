package dev.easel.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.models.unet.BasicTransformerBlock;
import dev.easel.engine.torch.LibTorch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A layer's intermediates are freed as it returns in inference, and kept for the backward pass in training. */
class LayerScopeTest {

    static {
        Engine.getInstance(); // loads the natives LibTorch calls
    }

    @Test
    void inferenceFreesALayersIntermediatesAndKeepsItsResult() {
        boolean grad = LibTorch.gradMode();
        LibTorch.setGradMode(false);
        try (NDManager scope = NDManager.newBaseManager()) {
            ResnetBlock2D block = new ResnetBlock2D(Init.random(scope), 32, 64, 0, 8, 1e-6f);
            NDArray x = scope.randomNormal(new Shape(1, 32, 8, 8));
            List<NDArray> made = new ArrayList<>();
            NDArray y = LayerScope.run(scope, layer -> {
                NDArray h = x.mul(2);
                h.attach(layer);
                made.add(h);
                return block.forward(layer, h, null);
            });
            assertTrue(made.get(0).isReleased(), "an intermediate outlived its layer");
            assertFalse(y.isReleased());
            assertSame(scope, y.getManager());
            // the same arithmetic as without the scope
            assertArrayEquals(block.forward(scope, x.mul(2), null).toFloatArray(), y.toFloatArray());
        } finally {
            LibTorch.setGradMode(grad);
        }
    }

    /**
     * Inference writes into and frees a layer's own temporaries and convolves channels-last: the results equal those
     * with every temporary kept and NCHW ({@code -Deasel.reuse=off}) within float32 rounding, and the caller's input is
     * never written into.
     */
    @Test
    void reusingTemporariesChangesNeitherResultsNorInputs() {
        boolean grad = LibTorch.gradMode();
        LibTorch.setGradMode(false);
        try (NDManager m = NDManager.newBaseManager()) {
            Init init = Init.random(m);
            NDArray x = m.randomNormal(new Shape(2, 32, 8, 8));
            NDArray temb = m.randomNormal(new Shape(2, 16));
            NDArray seq = m.randomNormal(new Shape(2, 64, 32));
            NDArray ctx = m.randomNormal(new Shape(2, 7, 24));
            ResnetBlock2D widening = new ResnetBlock2D(init, 32, 64, 16, 8, 1e-6f);
            ResnetBlock2D same = new ResnetBlock2D(init, 32, 32, 0, 8, 1e-6f);
            Conv2d pointwise = new Conv2d(init, 32, 48, 1, 1, 0);
            Conv2d strided = new Conv2d(init, 32, 48, 3, 2, 1);
            Attention spatial = new Attention(init, 32, 32, 1, 32, true, 8, 1e-6f, false);
            BasicTransformerBlock transformer = new BasicTransformerBlock(init, 32, 4, 8, 24, false);
            assertSameBothWays(m, x, s -> widening.forward(s, x, temb));
            assertSameBothWays(m, x, s -> same.forward(s, x, null));
            assertSameBothWays(m, x, s -> pointwise.forward(s, x));
            assertSameBothWays(m, x, s -> strided.forward(s, x));
            assertSameBothWays(m, x, s -> spatial.forwardSpatial(s, x));
            assertSameBothWays(m, seq, s -> transformer.forward(s, seq, ctx));
        } finally {
            LibTorch.setGradMode(grad);
        }
    }

    private static void assertSameBothWays(NDManager m, NDArray input, Function<NDManager, NDArray> layer) {
        float[] before = input.toFloatArray();
        float[] kept;
        System.setProperty("easel.reuse", "off");
        try (NDManager s = m.newSubManager()) {
            assertFalse(LayerScope.reusing());
            kept = layer.apply(s).toFloatArray();
        } finally {
            System.clearProperty("easel.reuse");
        }
        float[] reused;
        try (NDManager s = m.newSubManager()) {
            assertTrue(LayerScope.reusing());
            reused = layer.apply(s).toFloatArray();
        }
        assertArrayEquals(before, input.toFloatArray(), "the layer wrote into its input");
        assertEquals(kept.length, reused.length);
        for (int i = 0; i < kept.length; i++) {
            assertEquals(kept[i], reused[i], 1e-5f * (1 + Math.abs(kept[i])), "element " + i);
        }
    }

    @Test
    void trainingKeepsIntermediatesForTheBackwardPass() {
        boolean grad = LibTorch.gradMode();
        LibTorch.setGradMode(true);
        try (NDManager scope = NDManager.newBaseManager()) {
            NDArray x = scope.randomNormal(new Shape(4));
            List<NDArray> made = new ArrayList<>();
            NDArray y = LayerScope.run(scope, layer -> {
                NDArray h = x.mul(3);
                made.add(h);
                return h.mul(h);
            });
            assertFalse(made.get(0).isReleased());
            assertFalse(y.isReleased());
        } finally {
            LibTorch.setGradMode(grad);
        }
    }
}
