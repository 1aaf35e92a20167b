package dev.easel.engine.weights;

import dev.easel.engine.io.StoredZip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipOutputStream;

/**
 * Writes small hand-made PyTorch zip checkpoints for tests: a pickle of protocol 2 opcodes (as {@code torch.save}
 * emits them) and one stored entry per storage, so each defect a reader must catch can be made on purpose.
 * Public for the tests of other packages that read pickles (embeddings).
 */
public final class PickleBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleBuilder() {
        op(0x80, 2);
    }

    public PickleBuilder op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    public PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        out.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(b.length)
                .array());
        out.writeBytes(b);
        return this;
    }

    public PickleBuilder global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public PickleBuilder integer(long v) {
        op('J');
        out.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) v)
                .array());
        return this;
    }

    public PickleBuilder ints(long... values) {
        op('(');
        for (long v : values) {
            integer(v);
        }
        return op('t');
    }

    /** Pushes {@code _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, shape, stride, …)}. */
    public PickleBuilder tensor(String storageType, String key, long numel, long offset, long[] shape, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').str("storage")
                .global("torch", storageType)
                .str(key)
                .str("cpu")
                .integer(numel)
                .op('t', 'Q');
        integer(offset).ints(shape).ints(stride).op(0x89);
        global("collections", "OrderedDict").op(')', 'R');
        return op('t', 'R');
    }

    /**
     * Pushes {@code _rebuild_parameter(_rebuild_tensor_v2(…), True, OrderedDict())}, as an {@code nn.Parameter}
     * pickles.
     */
    public PickleBuilder parameter(String storageType, String key, long numel, long[] shape, long[] stride) {
        global("torch._utils", "_rebuild_parameter").op('(');
        tensor(storageType, key, numel, 0, shape, stride).op(0x88);
        global("collections", "OrderedDict").op(')', 'R');
        return op('t', 'R');
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** A {@code {"state_dict": {name: tensor}}} pickle with one float tensor. */
    static byte[] stateDict(String name, long numel, long offset, long[] shape, long[] stride) {
        PickleBuilder p =
                new PickleBuilder().op('}', '(').str("state_dict").op('}', '(').str(name);
        p.tensor("FloatStorage", "0", numel, offset, shape, stride);
        return p.op('u', 'u', '.').bytes();
    }

    /** Writes a zip checkpoint: {@code archive/data.pkl}, the storages, {@code archive/version}. */
    public static Path checkpoint(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            StoredZip.put(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> s : storages.entrySet()) {
                StoredZip.put(zip, "archive/data/" + s.getKey(), s.getValue());
            }
            StoredZip.put(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    /**
     * Writes an embedding as A1111's {@code Embedding.save} does: {@code torch.save({"string_to_token": {"*": 265},
     * "string_to_param": {"*": vectors}, "name", "step", "sd_checkpoint", "sd_checkpoint_name"})}, the vectors
     * [n, hidden] a plain tensor or (as other trainers save them) an {@code nn.Parameter}; {@code step} pushes the
     * step's value, so a test can put something else there.
     */
    public static Path a1111Embedding(
            Path file, float[] vectors, long[] shape, boolean parameter, Consumer<PickleBuilder> step)
            throws IOException {
        long[] stride = {shape[1], 1};
        PickleBuilder p = new PickleBuilder().op('}', '(');
        p.str("string_to_token").op('}', '(').str("*").integer(265).op('u');
        p.str("string_to_param").op('}', '(').str("*");
        if (parameter) {
            p.parameter("FloatStorage", "0", vectors.length, shape, stride);
        } else {
            p.tensor("FloatStorage", "0", vectors.length, 0, shape, stride);
        }
        String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        p.op('u').str("name").str(name).str("step");
        step.accept(p);
        p.str("sd_checkpoint")
                .op('N')
                .str("sd_checkpoint_name")
                .str("v1-5-pruned-emaonly")
                .op('u', '.');
        return checkpoint(file, p.bytes(), Map.of("0", floats(vectors)));
    }

    public static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
