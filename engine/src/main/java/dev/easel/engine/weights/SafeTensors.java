package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.AtomicFile;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw data.
 *
 * <p>Reading validates the whole header up front (so a corrupt file fails with one line before any tensor is made)
 * and then maps one tensor at a time with long offsets, so files over 2 GiB work. BF16 is widened to float32 in
 * Java (DJL cannot hold BF16 arrays).
 */
public final class SafeTensors extends IndexedTensorFile {

    /** One tensor's header entry. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(
            Path file, FileChannel channel, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        super(file, channel, located(entries, dataStart));
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
    }

    private static Map<String, Located> located(Map<String, Entry> entries, long dataStart) {
        Map<String, Located> located = new LinkedHashMap<>();
        entries.forEach((name, e) ->
                located.put(name, new Located(e.dtype(), e.shape(), dataStart + e.begin(), e.end() - e.begin())));
        return located;
    }

    /** Opens and validates a safetensors file. */
    public static SafeTensors open(Path file) {
        FileChannel ch = openChannel(file);
        try {
            long size = ch.size();
            if (size < 8) {
                throw new EngineException(file + ": truncated safetensors file (" + size + " bytes, no header)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > 100_000_000L) {
                throw new EngineException(file + ": corrupt safetensors header (header length " + headerLen + ")");
            }
            if (8 + headerLen > size) {
                throw new EngineException(file + ": truncated safetensors file (header needs " + headerLen
                        + " bytes, file has " + (size - 8) + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new EngineException(
                        file + ": corrupt safetensors header (invalid JSON: " + e.getOriginalMessage() + ")");
            }
            if (root == null || !root.isObject()) {
                throw new EngineException(file + ": corrupt safetensors header (not a JSON object)");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                String name = f.getKey();
                JsonNode v = f.getValue();
                if (name.equals("__metadata__")) {
                    v.fields()
                            .forEachRemaining(
                                    m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode dt = v.get("dtype");
                JsonNode shp = v.get("shape");
                JsonNode off = v.get("data_offsets");
                if (dt == null || shp == null || off == null || !shp.isArray() || !off.isArray() || off.size() != 2) {
                    throw new EngineException(
                            file + ": corrupt safetensors header (entry " + name + " lacks dtype/shape/data_offsets)");
                }
                String dtype = dt.asText();
                int width = TensorReader.byteWidth(dtype);
                if (width < 0) {
                    throw new EngineException(file + ": unknown dtype " + dtype + " for tensor " + name);
                }
                long[] shape = new long[shp.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shp.get(i).asLong(-1);
                    if (shape[i] < 0 || !shp.get(i).canConvertToLong()) {
                        throw new EngineException(file + ": corrupt safetensors header (tensor " + name
                                + " has a bad shape " + shp + ")");
                    }
                }
                if (numel(shape, width) < 0) {
                    throw new EngineException(
                            file + ": corrupt safetensors header (tensor " + name + " shape " + shp + " overflows)");
                }
                Entry e = new Entry(
                        name, dtype, shape, off.get(0).asLong(), off.get(1).asLong());
                if (e.begin() < 0 || e.end() < e.begin() || e.end() - e.begin() != e.numel() * width) {
                    throw new EngineException(file + ": corrupt safetensors header (tensor " + name
                            + " byte range does not match its shape and dtype)");
                }
                if (e.end() > dataSize) {
                    throw new EngineException(file + ": truncated safetensors file (tensor " + name + " ends at byte "
                            + (dataStart + e.end()) + ", file has " + size + ")");
                }
                entries.put(name, e);
            }
            return new SafeTensors(file, ch, dataStart, Collections.unmodifiableMap(entries), meta);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new EngineException(file + ": cannot read (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Entry entry(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new EngineException(file + ": missing key " + key);
        }
        return e;
    }

    /** Bytes of {@code shape} at {@code width} bytes per element, or -1 on overflow. */
    static long numel(long[] shape, int width) {
        long n = width;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return n;
    }

    /** Writes tensors (float32/float16/float64/int) as a safetensors file, atomically. */
    public static void write(Map<String, NDArray> tensors, Map<String, String> metadata, Path file) {
        List<Spec> specs = new ArrayList<>();
        for (Map.Entry<String, NDArray> t : tensors.entrySet()) {
            NDArray a = t.getValue();
            specs.add(new Spec(
                    t.getKey(),
                    stDtype(a.getDataType(), t.getKey(), file),
                    a.getShape().getShape()));
        }
        write(specs, metadata, file, (spec, out) -> {
            ByteBuffer b = tensors.get(spec.name()).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] chunk = new byte[Math.min(b.remaining(), 1 << 20)];
            while (b.hasRemaining()) {
                int k = Math.min(chunk.length, b.remaining());
                b.get(chunk, 0, k);
                out.write(chunk, 0, k);
            }
        });
    }

    /** A tensor to be written: its name, safetensors dtype and shape. */
    public record Spec(String name, String dtype, long[] shape) {
        public long bytes() {
            return numel(shape, TensorReader.byteWidth(dtype));
        }
    }

    /** Writes the little-endian bytes of one tensor, exactly {@link Spec#bytes()} of them. */
    @FunctionalInterface
    public interface TensorBody {
        void write(Spec spec, OutputStream out) throws IOException;
    }

    /**
     * Streams a safetensors file, atomically: the header (offsets computed from the specs) goes first, then each
     * tensor as {@code body} produces it, so a model never has to be in memory at once. A body that writes a wrong
     * number of bytes fails the write (and leaves no file).
     */
    public static void write(List<Spec> specs, Map<String, String> metadata, Path file, TensorBody body) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Spec spec : specs) {
            long bytes = spec.bytes();
            if (bytes < 0) {
                throw new EngineException(file + ": cannot write tensor " + spec.name() + " of dtype " + spec.dtype());
            }
            ObjectNode e = header.putObject(spec.name());
            e.put("dtype", spec.dtype());
            var shp = e.putArray("shape");
            for (long s : spec.shape()) {
                shp.add(s);
            }
            var off = e.putArray("data_offsets");
            off.add(offset);
            off.add(offset + bytes);
            offset += bytes;
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        for (int i = h.length; i < hp.length; i++) {
            hp[i] = ' ';
        }
        try {
            AtomicFile.write(file, out -> {
                out.write(ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(hp.length)
                        .array());
                out.write(hp);
                for (Spec spec : specs) {
                    CountingStream counted = new CountingStream(out);
                    body.write(spec, counted);
                    if (counted.count != spec.bytes()) {
                        throw new IOException("tensor " + spec.name() + " produced " + counted.count
                                + " bytes, expected " + spec.bytes());
                    }
                }
            });
        } catch (IOException e) {
            throw new EngineException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the file stays open for the next tensor
        }
    }

    private static String stDtype(DataType t, String key, Path file) {
        switch (t) {
            case FLOAT32:
                return "F32";
            case FLOAT16:
                return "F16";
            case FLOAT64:
                return "F64";
            case INT64:
                return "I64";
            case INT32:
                return "I32";
            case INT8:
                return "I8";
            case UINT8:
                return "U8";
            case BOOLEAN:
                return "BOOL";
            default:
                throw new EngineException(file + ": cannot write tensor " + key + " of dtype " + t);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        buf.flip();
    }
}
