package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.AtomicFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw data.
 *
 * <p>Reading validates the whole header up front (so a corrupt file fails with one line before any tensor is made)
 * and then maps one tensor at a time with long offsets, so files over 2 GiB work. BF16 is widened to float32 in
 * Java (DJL cannot hold BF16 arrays).
 */
public final class SafeTensors implements TensorFile {

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
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
                        Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates a safetensors file. */
    public static SafeTensors open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new EngineException(file + ": file not found");
        } catch (IOException e) {
            throw new EngineException(file + ": cannot open (" + e.getMessage() + ")");
        }
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
                throw new EngineException(file + ": corrupt safetensors header (invalid JSON: "
                        + e.getOriginalMessage() + ")");
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
                    v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode dt = v.get("dtype");
                JsonNode shp = v.get("shape");
                JsonNode off = v.get("data_offsets");
                if (dt == null || shp == null || off == null || !shp.isArray() || !off.isArray() || off.size() != 2) {
                    throw new EngineException(file + ": corrupt safetensors header (entry " + name
                            + " lacks dtype/shape/data_offsets)");
                }
                String dtype = dt.asText();
                int width = byteWidth(dtype);
                if (width < 0) {
                    throw new EngineException(file + ": unknown dtype " + dtype + " for tensor " + name);
                }
                long[] shape = new long[shp.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shp.get(i).asLong();
                }
                Entry e = new Entry(name, dtype, shape, off.get(0).asLong(), off.get(1).asLong());
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

    /** Bytes per element of a safetensors dtype, or -1 if unknown. */
    static int byteWidth(String dtype) {
        switch (dtype) {
            case "F64": case "I64": case "U64": return 8;
            case "F32": case "I32": case "U32": return 4;
            case "F16": case "BF16": case "I16": case "U16": return 2;
            case "I8": case "U8": case "BOOL": return 1;
            default: return -1;
        }
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Set<String> keys() {
        return entries.keySet();
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    @Override
    public long[] shape(String key) {
        return entry(key).shape();
    }

    @Override
    public String dtype(String key) {
        return entry(key).dtype();
    }

    public Entry entry(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new EngineException(file + ": missing key " + key);
        }
        return e;
    }

    /**
     * Reads one tensor into a new array owned by {@code manager}. Floating-point tensors become {@code floatType}
     * (BF16 is widened in Java first); integer tensors keep their type.
     */
    @Override
    public NDArray read(String key, NDManager manager, DataType floatType) {
        Entry e = entry(key);
        long n = e.end() - e.begin();
        if (n > Integer.MAX_VALUE) {
            throw new EngineException(file + ": tensor " + key + " is larger than 2 GiB");
        }
        Shape shape = new Shape(e.shape());
        try {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), n);
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            if (e.dtype().equals("BF16")) {
                ByteBuffer f32 = ByteBuffer.allocateDirect((int) (n * 2)).order(ByteOrder.nativeOrder());
                for (long i = 0; i < n / 2; i++) {
                    int bits = mapped.getShort((int) (i * 2)) & 0xffff;
                    f32.putInt(bits << 16);
                }
                f32.rewind();
                NDArray a = manager.create(f32, shape, DataType.FLOAT32);
                return floatType == DataType.FLOAT32 ? a.duplicate() : convert(a, floatType);
            }
            DataType type = djlType(e.dtype());
            ByteBuffer copy = ByteBuffer.allocateDirect((int) n).order(ByteOrder.nativeOrder());
            copy.put(mapped);
            copy.rewind();
            NDArray a = manager.create(copy, shape, type);
            if (type.isFloating() && type != floatType) {
                return convert(a, floatType);
            }
            return a.duplicate();
        } catch (IOException ex) {
            throw new EngineException(file + ": cannot read tensor " + key + " (" + ex.getMessage() + ")");
        }
    }

    private static NDArray convert(NDArray a, DataType t) {
        NDArray c = a.toType(t, true);
        a.close();
        return c;
    }

    private DataType djlType(String dtype) {
        switch (dtype) {
            case "F64": return DataType.FLOAT64;
            case "F32": return DataType.FLOAT32;
            case "F16": return DataType.FLOAT16;
            case "I64": return DataType.INT64;
            case "I32": return DataType.INT32;
            case "I8": return DataType.INT8;
            case "U8": return DataType.UINT8;
            case "BOOL": return DataType.BOOLEAN;
            default: throw new EngineException(file + ": unsupported dtype " + dtype + " for reading");
        }
    }

    /** Writes tensors (float32/float16/float64/int) as a safetensors file, atomically. */
    public static void write(Map<String, NDArray> tensors, Map<String, String> metadata, Path file) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> t : tensors.entrySet()) {
            NDArray a = t.getValue();
            String dtype = stDtype(a.getDataType(), t.getKey(), file);
            long bytes = a.getShape().size() * a.getDataType().getNumOfBytes();
            ObjectNode e = header.putObject(t.getKey());
            e.put("dtype", dtype);
            var shp = e.putArray("shape");
            for (long s : a.getShape().getShape()) {
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
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).array());
                out.write(hp);
                for (NDArray a : tensors.values()) {
                    ByteBuffer b = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    byte[] chunk = new byte[Math.min(b.remaining(), 1 << 20)];
                    while (b.hasRemaining()) {
                        int k = Math.min(chunk.length, b.remaining());
                        b.get(chunk, 0, k);
                        out.write(chunk, 0, k);
                    }
                }
            });
        } catch (IOException e) {
            throw new EngineException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static String stDtype(DataType t, String key, Path file) {
        switch (t) {
            case FLOAT32: return "F32";
            case FLOAT16: return "F16";
            case FLOAT64: return "F64";
            case INT64: return "I64";
            case INT32: return "I32";
            case INT8: return "I8";
            case UINT8: return "U8";
            case BOOLEAN: return "BOOL";
            default: throw new EngineException(file + ": cannot write tensor " + key + " of dtype " + t);
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

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
