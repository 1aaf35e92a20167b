package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Set;

/**
 * A file of named tensors read one at a time: what loading a checkpoint needs of its file format. {@link SafeTensors}
 * is one; another format (a pickled {@code .ckpt} read without running it) plugs into the single-file loader by
 * implementing this.
 */
public interface TensorFile extends AutoCloseable {

    /** The file, for messages. */
    Path file();

    /** Every tensor name in the file. */
    Set<String> keys();

    boolean contains(String key);

    /** The tensor's shape; a missing key fails with one line naming the file. */
    long[] shape(String key);

    /** The tensor's element type as safetensors spells it ({@code F32}, {@code F16}, {@code BF16}, {@code I64}, …). */
    String dtype(String key);

    /**
     * Reads one tensor into a new array owned by {@code manager}. Floating-point tensors become {@code floatType};
     * integer tensors keep their type.
     */
    NDArray read(String key, NDManager manager, DataType floatType);

    /** Releases the file; no exception, so it closes in try-with-resources without a catch. */
    @Override
    void close();
}
