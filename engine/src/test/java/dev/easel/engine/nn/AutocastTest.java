package dev.easel.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.torch.Randomness;
import org.junit.jupiter.api.Test;

/** Autocast: products in low precision with float32 weights and gradients, norms in float32, regions nest. */
class AutocastTest {

    @Test
    void productsComputeInLowPrecisionWhileWeightsAndGradientsStayFloat32() {
        try (NDManager m = NDManager.newBaseManager();
                Randomness.Held generator = Randomness.seeded(3)) {
            Linear linear = new Linear(Init.random(m), 16, 8, true);
            NDArray x = m.randomNormal(new Shape(4, 16));
            float[] exact = gradientOfWeight(m, linear, x, null);
            float[] mixed = gradientOfWeight(m, linear, x, DataType.FLOAT16);
            double worst = 0;
            double largest = 0;
            for (int i = 0; i < exact.length; i++) {
                worst = Math.max(worst, Math.abs(exact[i] - mixed[i]));
                largest = Math.max(largest, Math.abs(exact[i]));
            }
            assertTrue(worst > 0, "the float16 product rounds differently from float32");
            assertTrue(worst < 0.02 * largest, "float16 gradient close to float32: " + worst + " of " + largest);

            GroupNorm norm = new GroupNorm(Init.random(m), 2, 4, 1e-5f);
            NDArray half = m.randomNormal(new Shape(1, 4, 3, 3)).toType(DataType.FLOAT16, false);
            try (Autocast region = Autocast.enable(DataType.FLOAT16)) {
                assertEquals(DataType.FLOAT16, linear.forward(m, x).getDataType());
                assertEquals(DataType.FLOAT32, norm.forward(m, half).getDataType(), "norms run in float32");
                try (Autocast outside = Autocast.off()) {
                    assertEquals(DataType.FLOAT32, linear.forward(m, x).getDataType());
                }
                assertEquals(DataType.FLOAT16, linear.forward(m, x).getDataType(), "the region is back");
            }
            // Outside a region a layer computes in its input's type, whatever its weights' type.
            assertEquals(
                    DataType.FLOAT16,
                    linear.forward(m, x.toType(DataType.FLOAT16, false)).getDataType());
            assertEquals(DataType.FLOAT32, linear.forward(m, x).getDataType());
        }
    }

    private static float[] gradientOfWeight(NDManager m, Linear linear, NDArray x, DataType low) {
        NDArray weight = linear.parameters().get("weight");
        weight.setRequiresGradient(true);
        boolean grad = LibTorch.gradMode();
        LibTorch.setGradMode(true);
        try (NDManager scope = m.newSubManager();
                Autocast region = Autocast.enable(low)) {
            NDArray y = linear.forward(scope, x);
            NDArray loss = TorchOps.cast(scope, y, DataType.FLOAT32).square().sum();
            LibTorch.backward(loss, scope.ones(loss.getShape()), false, false);
            NDArray g = weight.getGradient();
            assertEquals(DataType.FLOAT32, g.getDataType(), "gradients of float32 weights are float32");
            float[] values = g.toFloatArray();
            LibTorch.zeroGrad(weight);
            return values;
        } finally {
            LibTorch.setGradMode(grad);
            weight.setRequiresGradient(false);
        }
    }
}
