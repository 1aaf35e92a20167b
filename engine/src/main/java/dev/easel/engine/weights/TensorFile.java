package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A file of named tensors read one at a time: what loading a checkpoint needs of its file format —
 * {@link SafeTensors} or a PyTorch zip checkpoint ({@link TorchCheckpoint}, a pickled {@code .ckpt} read without
 * running it). Opening validates everything that can be checked without reading the data.
 */
public interface TensorFile extends AutoCloseable {

    /**
     * Opens {@code file} by its content, whatever its name: a zip is PyTorch's {@code torch.save} format
     * ({@link TorchCheckpoint}), a bare pickle the legacy one (refused in one line), anything else safetensors.
     */
    static TensorFile open(Path file) {
        byte[] magic = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(magic, 0, 4);
        } catch (NoSuchFileException e) {
            throw new EngineException(file + ": file not found");
        } catch (IOException e) {
            throw new EngineException(file + ": cannot open (" + e.getMessage() + ")");
        }
        if (n == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
            return TorchCheckpoint.open(file);
        }
        if (n >= 2 && (magic[0] & 0xff) == 0x80 && magic[1] >= 2 && magic[1] <= 5) {
            throw TorchCheckpoint.legacy(file);
        }
        return SafeTensors.open(file);
    }

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

    /**
     * The training step the checkpoint records ({@code global_step} beside the state dict of original SD
     * {@code .ckpt} files), which tells SD 2.x's 512 ε-model from its 768 v-models; empty when the file has none.
     */
    default OptionalLong globalStep() {
        return OptionalLong.empty();
    }

    /**
     * Reads one tensor that becomes a model parameter, as {@code shape} (the stored shape, or another with as many
     * elements: a {@code [n, m, 1, 1]} convolution read as {@code [n, m]}). Unlike {@link #read}, the array may share
     * the file's pages, mapped copy-on-write — no copy is made, an in-place change never reaches the file — and so must
     * be kept as it is for as long as any view of it is used (a parameter is). Types as {@link #read}. By default a
     * {@link #read} (memory of its own, which a reshaped view keeps alive) in that shape.
     */
    default NDArray readParameter(String key, long[] shape, NDManager manager, DataType floatType) {
        long[] stored = shape(key);
        if (SafeTensors.numel(shape, 1) != SafeTensors.numel(stored, 1)) {
            throw new EngineException(file() + ": tensor " + key + " has shape " + Arrays.toString(stored)
                    + ", which cannot be read as " + Arrays.toString(shape));
        }
        NDArray a = read(key, manager, floatType);
        if (Arrays.equals(stored, shape)) {
            return a;
        }
        NDArray reshaped = a.reshape(shape);
        a.close();
        return reshaped;
    }

    /** Releases the file; no exception, so it closes in try-with-resources without a catch. */
    @Override
    void close();
}
