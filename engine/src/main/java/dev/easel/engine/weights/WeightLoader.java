package dev.easel.engine.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.memory.HugePageArena;
import dev.easel.engine.nn.Module;
import dev.easel.engine.torch.LibTorch;
import java.util.Map;
import java.util.function.Function;

/** Fills a module's parameters from a tensor file (safetensors or checkpoint): a walk over the module's own names. */
public final class WeightLoader {

    /** Called after each tensor (for a progress bar). */
    @FunctionalInterface
    public interface Progress {
        void loaded(int done, int total);
    }

    private WeightLoader() {}

    /**
     * Loads every parameter of {@code model} from {@code file}; the key of parameter {@code name} is
     * {@code keyOf.apply(name)} (null → name). Missing keys and wrong shapes fail with one line naming the file.
     * Old diffusers VAE attention names ({@code query/key/value/proj_attn}) are accepted.
     */
    public static void load(
            Module model, TensorFile file, Function<String, String> keyOf, NDManager manager, Progress progress) {
        load(model, file, keyOf, manager, DataType.FLOAT32, progress);
    }

    /** As above, each floating-point tensor converted to {@code floatType} as it is read (one tensor at a time). */
    public static void load(
            Module model,
            TensorFile file,
            Function<String, String> keyOf,
            NDManager manager,
            DataType floatType,
            Progress progress) {
        // converting copies fill memory that the arena's threads fault in ahead, in parallel; libtorch's workers would
        // only busy-wait beside them between copies (idle OpenMP workers spin), on the cores the faulting needs
        boolean alone = HugePageArena.faultsAhead() && manager.getDevice().equals(Device.cpu());
        int threads = LibTorch.threads();
        if (alone) {
            LibTorch.setThreads(1);
        }
        try {
            Map<String, NDArray> params = model.parameters();
            int done = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                String name = e.getKey();
                Shape shape = e.getValue().getShape();
                model.setParameter(
                        name, readParameter(file, keyOf == null ? name : keyOf.apply(name), shape, manager, floatType));
                done++;
                if (progress != null) {
                    progress.loaded(done, params.size());
                }
            }
        } finally {
            if (alone) {
                LibTorch.setThreads(threads);
            }
        }
    }

    /** Tensor {@code key} (or its legacy name) of {@code file}, checked against the parameter's shape and read. */
    private static NDArray readParameter(
            TensorFile file, String key, Shape expected, NDManager manager, DataType floatType) {
        if (!file.contains(key)) {
            String legacy = legacyName(key);
            if (legacy != null && file.contains(legacy)) {
                key = legacy;
            } else {
                throw new EngineException(file.file() + ": missing key " + key);
            }
        }
        Shape actual = new Shape(file.shape(key));
        boolean squeezable = actual.dimension() == 4
                && actual.get(2) == 1
                && actual.get(3) == 1
                && expected.dimension() == 2
                && expected.equals(new Shape(actual.get(0), actual.get(1)));
        if (!actual.equals(expected) && !squeezable) {
            throw new EngineException(
                    file.file() + ": wrong shape for " + key + ": " + actual + ", expected " + expected);
        }
        if (!isFloat(file.dtype(key))) {
            throw new EngineException(file.file() + ": tensor " + key + " has non-float dtype " + file.dtype(key));
        }
        // read as the parameter's shape: a reshaped view would not keep a mapped tensor's pages alive
        return file.readParameter(key, expected.getShape(), manager, floatType);
    }

    /**
     * Bytes of new memory made for parameters by every load of this process so far: those converted, or copied
     * because they could not be mapped from their file (for benchmarks: what a load costs beyond reading).
     */
    public static long parameterBytesCopied() {
        return TensorReader.PARAMETER_COPIES.get();
    }

    private static boolean isFloat(String dtype) {
        return dtype.startsWith("F") || dtype.equals("BF16");
    }

    private static String legacyName(String key) {
        if (!key.contains("attentions.")) {
            return null;
        }
        if (key.contains(".to_q.")) {
            return key.replace(".to_q.", ".query.");
        }
        if (key.contains(".to_k.")) {
            return key.replace(".to_k.", ".key.");
        }
        if (key.contains(".to_v.")) {
            return key.replace(".to_v.", ".value.");
        }
        if (key.contains(".to_out.0.")) {
            return key.replace(".to_out.0.", ".proj_attn.");
        }
        return null;
    }
}
