package dev.easel.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.torch.LibTorch;
import java.util.ArrayList;
import java.util.List;
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
