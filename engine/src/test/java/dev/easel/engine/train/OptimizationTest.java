package dev.easel.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.BadValueException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OptimizationTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void learningRateSchedulesMatchDiffusersFormulas() {
        var warm = new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT_WITH_WARMUP, 4, 100);
        assertEquals(0.0, warm.factor(0));
        assertEquals(0.5, warm.factor(2));
        assertEquals(1.0, warm.factor(50));
        var linear = new LearningRateSchedule(LearningRateSchedule.Kind.LINEAR, 10, 110);
        assertEquals(0.5, linear.factor(5));
        assertEquals(0.5, linear.factor(60), 1e-12);
        assertEquals(0.0, linear.factor(110));
        var cosine = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0, 100);
        assertEquals(1.0, cosine.factor(0), 1e-12);
        assertEquals(0.5, cosine.factor(50), 1e-12);
        assertEquals(0.0, cosine.factor(100), 1e-12);
        assertEquals(1.0, LearningRateSchedule.constant().factor(12345));
        assertEquals(LearningRateSchedule.Kind.COSINE, LearningRateSchedule.Kind.named("Cosine"));
        var e = assertThrows(BadValueException.class, () -> LearningRateSchedule.Kind.named("cosin"));
        assertEquals(
                "unknown learning-rate scheduler 'cosin'; use one of constant, constant_with_warmup, linear, cosine",
                e.getMessage());
    }

    @Test
    void adamWFollowsTorchsUpdateRule() {
        double[] p = {0.5, -1.0, 2.0};
        double[][] grads = {{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.05}, {0.2, 0.2, -0.7}};
        double lr = 0.01;
        AdamW.Settings s = AdamW.Settings.DEFAULT;
        Map<String, NDArray> params = new LinkedHashMap<>(Map.of("w", manager.create(toFloats(p))));
        try (AdamW adam = new AdamW(s, manager)) {
            double[] m = new double[3];
            double[] v = new double[3];
            for (int t = 1; t <= 3; t++) {
                adam.update(params, Map.of("w", manager.create(toFloats(grads[t - 1]))), lr);
                for (int i = 0; i < 3; i++) {
                    double g = grads[t - 1][i];
                    p[i] *= 1 - lr * s.weightDecay();
                    m[i] = s.beta1() * m[i] + (1 - s.beta1()) * g;
                    v[i] = s.beta2() * v[i] + (1 - s.beta2()) * g * g;
                    double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(s.beta2(), t)) + s.epsilon();
                    p[i] -= lr / (1 - Math.pow(s.beta1(), t)) * m[i] / denom;
                }
            }
            assertArrayEquals(toFloats(p), params.get("w").toFloatArray(), 1e-6f);
            assertEquals(3, adam.step());
            assertEquals(
                    List.of("exp_avg.w", "exp_avg_sq.w"),
                    List.copyOf(adam.state().keySet()));
        }
    }

    @Test
    void adamWResumesExactlyFromItsSavedState() {
        Map<String, NDArray> straight = new LinkedHashMap<>(Map.of("w", manager.create(new float[] {1f, 2f})));
        Map<String, NDArray> resumed = new LinkedHashMap<>(Map.of("w", manager.create(new float[] {1f, 2f})));
        float[][] grads = {{0.3f, -0.1f}, {0.2f, 0.4f}, {-0.5f, 0.1f}};
        try (AdamW a = new AdamW(AdamW.Settings.DEFAULT, manager);
                AdamW b = new AdamW(AdamW.Settings.DEFAULT, manager)) {
            for (float[] g : grads) {
                a.update(straight, Map.of("w", manager.create(g)), 1e-2);
            }
            b.update(resumed, Map.of("w", manager.create(grads[0])), 1e-2);
            b.update(resumed, Map.of("w", manager.create(grads[1])), 1e-2);
            try (AdamW fresh = new AdamW(AdamW.Settings.DEFAULT, manager)) {
                fresh.restore(b.state(), b.step());
                fresh.update(resumed, Map.of("w", manager.create(grads[2])), 1e-2);
            }
            assertArrayEquals(straight.get("w").toFloatArray(), resumed.get("w").toFloatArray(), 0f);
        }
    }

    @Test
    void globalNormClippingScalesAllGradientsTogether() {
        NDArray a = manager.create(new float[] {3f, 4f});
        NDArray b = manager.create(new float[] {12f});
        double norm = GradientClipping.clipGlobalNorm(List.of(a, b), 1.0);
        assertEquals(13.0, norm, 1e-6);
        float scale = (float) (1.0 / (13.0 + 1e-6));
        assertArrayEquals(new float[] {3f * scale, 4f * scale}, a.toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {12f * scale}, b.toFloatArray(), 1e-7f);
        NDArray small = manager.create(new float[] {0.1f});
        assertEquals(0.1, GradientClipping.clipGlobalNorm(List.of(small), 1.0), 1e-7);
        assertArrayEquals(new float[] {0.1f}, small.toFloatArray(), "below the limit: untouched");
    }

    @Test
    void emaDecayWarmsUpAndAveragesTowardsTheWeights() {
        Map<String, NDArray> weights = Map.of("w", manager.create(new float[] {0f}));
        try (var ema = new ExponentialMovingAverage(weights, 0.999, manager)) {
            assertEquals(0.0, ema.decay(1));
            assertEquals(3.0 / 12.0, ema.decay(3), 1e-12);
            assertEquals(0.999, ema.decay(1_000_000));
            weights.get("w").set(new float[] {1f});
            ema.update(weights, 1); // decay 0: the average jumps to the weights
            assertEquals(1f, ema.weights().get("w").getFloat());
            weights.get("w").set(new float[] {0f});
            ema.update(weights, 3); // decay 0.25: 1 - 0.75·(1 - 0)
            assertEquals(0.25f, ema.weights().get("w").getFloat(), 1e-7f);
        }
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
