package dev.easel.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.Npy;
import java.nio.file.Path;
import java.util.Arrays;

/** Latents held in Java memory (float32, NCHW), free of any NDManager, for settings and results. */
public record Latents(float[] data, long[] shape) {

    public Latents {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        if (shape.length != 4 || n != data.length) {
            throw new EngineException("latents must be float32 [B, C, h, w]; got shape " + Arrays.toString(shape));
        }
    }

    public static Latents of(NDArray a) {
        return new Latents(
                a.toType(DataType.FLOAT32, false).toFloatArray(), a.getShape().getShape());
    }

    public NDArray toArray(NDManager manager) {
        return manager.create(data, new Shape(shape));
    }

    /** Reads a float32/float64 {@code .npy} of shape [B, C, h, w]. */
    public static Latents read(Path file) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = Npy.read(file, m);
            if (!a.getDataType().isFloating() || a.getShape().dimension() != 4) {
                throw new EngineException(file + ": latents must be a float array [B, C, h, w], got " + a.getDataType()
                        + " " + a.getShape());
            }
            return of(a);
        }
    }

    /** Writes float32 {@code .npy}. */
    public void write(Path file) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Npy.write(toArray(m), file);
        }
    }

    public int batch() {
        return (int) shape[0];
    }
}
