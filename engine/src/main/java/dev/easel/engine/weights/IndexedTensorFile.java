package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * What every {@link TensorFile} format shares once its index is parsed and validated: where each tensor's bytes are
 * ({@link Located}), answered from the index, and read one at a time through a {@link TensorReader}.
 */
abstract class IndexedTensorFile implements TensorFile {

    /** A validated tensor: dtype, shape and its C-ordered little-endian bytes at {@code position}. */
    record Located(String dtype, long[] shape, long position, long bytes) {}

    private final Path file;
    private final FileChannel channel;
    private final TensorReader reader;
    private final Map<String, Located> located;

    IndexedTensorFile(Path file, FileChannel channel, Map<String, Located> located) {
        this.file = file;
        this.channel = channel;
        this.reader = new TensorReader(file, channel);
        this.located = Collections.unmodifiableMap(located);
    }

    private Located located(String key) {
        Located t = located.get(key);
        if (t == null) {
            throw new EngineException(file + ": missing key " + key);
        }
        return t;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Set<String> keys() {
        return located.keySet();
    }

    @Override
    public boolean contains(String key) {
        return located.containsKey(key);
    }

    @Override
    public long[] shape(String key) {
        return located(key).shape().clone();
    }

    @Override
    public String dtype(String key) {
        return located(key).dtype();
    }

    @Override
    public NDArray read(String key, NDManager manager, DataType floatType) {
        Located t = located(key);
        return reader.read(key, t.position(), t.bytes(), t.dtype(), t.shape(), manager, floatType, false);
    }

    @Override
    public NDArray readParameter(String key, long[] shape, NDManager manager, DataType floatType) {
        Located t = located(key);
        if (SafeTensors.numel(shape, 1) != SafeTensors.numel(t.shape(), 1)) {
            return TensorFile.super.readParameter(key, shape, manager, floatType); // fails in one line
        }
        return reader.read(key, t.position(), t.bytes(), t.dtype(), shape.clone(), manager, floatType, true);
    }

    /** Opens {@code file} for reading; a missing or unreadable file is a one-line error. */
    static FileChannel openChannel(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new EngineException(file + ": file not found");
        } catch (IOException e) {
            throw new EngineException(file + ": cannot open (" + e.getMessage() + ")");
        }
    }

    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        reader.close();
        closeQuietly(channel);
    }
}
