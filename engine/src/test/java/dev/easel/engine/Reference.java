package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared reference data ({@code ../shared/reference}): the tiny SD model and diffusers' outputs on it. */
public final class Reference {

    private static JsonNode index;

    private Reference() {}

    public static Path root() {
        String p = System.getProperty("easel.reference");
        Path dir = p != null ? Path.of(p) : Path.of("..", "..", "shared", "reference");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("..", "shared", "reference");
        }
        if (!Files.isDirectory(dir)) {
            fail("reference data not found at " + dir.toAbsolutePath() + " (set -Deasel.reference)");
        }
        return dir.toAbsolutePath().normalize();
    }

    public static Path model() {
        return root().resolve("tiny-sd");
    }

    public static Path expected(String rel) {
        return root().resolve("expected").resolve(rel);
    }

    public static synchronized JsonNode index() {
        if (index == null) {
            try {
                // index.json holds NaN/Infinity for some statistics, which strict JSON lacks
                index = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                        .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                        .build()
                        .readTree(expected("index.json").toFile());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }
        return index;
    }

    public static NDArray npy(NDManager m, String rel) {
        return Npy.read(expected(rel), m);
    }

    /** max |a−b| ≤ abs, or relative to max |b| ≤ rel. */
    public static void assertClose(String what, NDArray expected, NDArray actual, double abs) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
        float[] e =
                expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        double max = 0;
        double scale = 0;
        for (int i = 0; i < e.length; i++) {
            max = Math.max(max, Math.abs(e[i] - a[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        boolean ok = max <= abs || max <= abs * scale;
        assertTrue(ok, what + ": max |diff| " + max + " > " + abs + " (max |expected| " + scale + ")");
    }

    public static double maxDiff(NDArray expected, NDArray actual) {
        float[] e =
                expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        double max = 0;
        for (int i = 0; i < e.length; i++) {
            max = Math.max(max, Math.abs(e[i] - a[i]));
        }
        return max;
    }
}
