package dev.easel.engine.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.memory.HugePageArena;
import dev.easel.engine.memory.HugePages;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads tensors out of an open file one at a time, for every {@link TensorFile} format, so that loading a model
 * never holds a tensor twice:
 *
 * <ul>
 *   <li>a model parameter stored in the type it is wanted in is not read at all: the array is created over the
 *       file's own pages, mapped copy-on-write ({@link FileChannel.MapMode#PRIVATE}), so the page cache that holds
 *       the file is the weights — counted once, faulted in as the model first uses them, and an in-place change
 *       (training, a merge) copies the page it writes instead of writing the file. The array keeps the mapping alive
 *       (DJL holds the buffer a CPU array was created over); the mapping goes with it, at the next garbage
 *       collection after it is closed;</li>
 *   <li>one that cannot be mapped (a tensor not aligned to its element size in the file, a file that cannot be opened
 *       for writing — Java maps privately only through such a channel, though nothing is ever written — or
 *       {@code -Deasel.weights=copy}) is read with positional reads ({@code pread}) straight into the memory of a new
 *       libtorch array (one copy, as {@code cat} makes);</li>
 *   <li>one that must be converted is read into one reused direct scratch buffer, wrapped zero-copy as a libtorch
 *       array and converted once into memory libtorch owns; the wrapper is closed before the scratch is reused;</li>
 *   <li>BF16 (which DJL cannot hold) is widened to float32 in place inside the scratch.</li>
 * </ul>
 *
 * A parameter that needs memory of its own (converted, or copied because it could not be mapped) gets it from the
 * reader's {@link HugePageArena} — huge pages faulted in ahead by threads of their own, which is where the time of a
 * converting load goes — and lives over it as long as the model does; {@code -Deasel.arena=off} allocates each as
 * below, to compare. Other new arrays of a few MiB or more get transparent huge pages ({@link HugePages}) before they
 * are filled. The scratch
 * grows to the largest converted tensor (75 MB for SD 1.5's fp16 token embedding) and is freed on {@link #close()}.
 * A file changed in place while a model mapped from it is in use changes (or, truncated, crashes) that model, as with
 * any memory-mapped loader ({@code safetensors.safe_open} too); Easel's own writers replace files by renaming, which
 * leaves a mapped file intact.
 */
final class TensorReader implements AutoCloseable {

    /** {@code -Deasel.weights=copy}: never map, always copy (the loader before mapping, for comparison). */
    private static final boolean MAPPING = !"copy".equals(System.getProperty("easel.weights"));

    /** Bytes of new memory made for parameters since the process started (for benchmarks). */
    static final AtomicLong PARAMETER_COPIES = new AtomicLong();

    private final Path file;
    private final FileChannel channel;
    /** The file opened for reading and writing, only to be mapped privately; null until needed or when refused. */
    private FileChannel mappable;

    private boolean unmappable = !MAPPING;
    private ByteBuffer scratch;
    /** Where parameters that need memory of their own get it; null with {@code -Deasel.arena=off} or none here. */
    private HugePageArena arena = HugePageArena.available() ? new HugePageArena() : null;

    TensorReader(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Bytes per element of a safetensors dtype, or -1 if unknown. */
    static int byteWidth(String dtype) {
        switch (dtype) {
            case "F64":
            case "I64":
            case "U64":
                return 8;
            case "F32":
            case "I32":
            case "U32":
                return 4;
            case "F16":
            case "BF16":
            case "I16":
            case "U16":
                return 2;
            case "I8":
            case "U8":
            case "BOOL":
                return 1;
            default:
                return -1;
        }
    }

    /**
     * Reads {@code bytes} bytes at {@code position} holding a C-ordered little-endian tensor of {@code dtype} into a
     * new array of {@code manager} of {@code shape} (the stored shape or one with as many elements; floating point →
     * {@code floatType}). {@code shared}: the array may be the file's pages mapped copy-on-write (see the class
     * comment), which is for arrays kept as they are — a model's parameters — not for ones a caller takes views of and
     * closes; otherwise it owns its memory.
     */
    NDArray read(
            String key,
            long position,
            long bytes,
            String dtype,
            long[] shape,
            NDManager manager,
            DataType floatType,
            boolean shared) {
        boolean bf16 = dtype.equals("BF16");
        DataType type = bf16 ? DataType.FLOAT32 : djlType(key, dtype);
        long needed = bf16 ? bytes * 2 : bytes;
        if (needed > Integer.MAX_VALUE - 8) {
            throw new EngineException(file + ": tensor " + key + " is larger than 2 GiB");
        }
        if (!bf16 && (type == floatType || !type.isFloating())) {
            NDArray mapped = shared ? readMapped(key, position, bytes, byteWidth(dtype), shape, type, manager) : null;
            if (mapped != null) {
                return mapped;
            }
            NDArray direct = readInPlace(key, position, bytes, shape, type, manager, shared);
            if (direct != null) {
                return direct;
            }
        }
        ByteBuffer buf = scratch((int) needed);
        // BF16 lands in the upper half and is widened forward: element i's float (bytes 4i..4i+3) never overwrites
        // a BF16 value not yet read (at bytes ≥ n + 2i + 2)
        int start = bf16 ? (int) bytes : 0;
        buf.limit(start + (int) bytes).position(start);
        readFully(key, buf, position);
        if (bf16) {
            long count = bytes / 2;
            for (int i = 0; i < count; i++) {
                int bits = buf.getShort(start + 2 * i) & 0xffff;
                buf.putInt(4 * i, bits << 16);
            }
        }
        ByteBuffer view = buf.duplicate().order(ByteOrder.nativeOrder());
        view.position(0).limit((int) (bf16 ? bytes * 2 : bytes));
        NDArray wrapped = manager.create(view.slice().order(ByteOrder.nativeOrder()), new Shape(shape), type);
        try {
            // the wrapper aliases the scratch: always hand back a copy into memory of its own
            DataType wanted = type.isFloating() ? floatType : type;
            long copy = wrapped.size() * wanted.getNumOfBytes();
            ByteBuffer memory = shared ? arena(copy, manager) : null;
            if (shared) {
                PARAMETER_COPIES.addAndGet(copy);
            }
            if (memory != null) {
                return copied(wrapped, manager.create(memory, wrapped.getShape(), wanted));
            }
            return wanted != type ? converted(wrapped, wanted, manager) : wrapped.duplicate();
        } finally {
            wrapped.close();
        }
    }

    /**
     * {@code source} as {@code type} in new memory: a large result is allocated, given huge pages and then filled by
     * one converting copy ({@code copy_}, the same rounding as {@code toType}); a small one is {@code toType}'s.
     */
    private static NDArray converted(NDArray source, DataType type, NDManager manager) {
        long bytes = source.size() * type.getNumOfBytes();
        if (!HugePages.worthAdvising(bytes)) {
            return source.toType(type, true);
        }
        NDArray out = manager.create(source.getShape(), type);
        boolean ok = false;
        try {
            HugePages.advise(out.toByteBuffer(true));
            ok = true;
        } finally {
            if (!ok) {
                out.close();
            }
        }
        return copied(source, out);
    }

    /** {@code out} filled from {@code source} by one converting copy ({@code copy_}); closed if that fails. */
    private static NDArray copied(NDArray source, NDArray out) {
        boolean ok = false;
        try {
            out.set(new NDIndex("..."), source);
            ok = true;
            return out;
        } finally {
            if (!ok) {
                out.close();
            }
        }
    }

    /**
     * {@code bytes} of fresh memory from this reader's {@link HugePageArena}, for a parameter (which lives as long as
     * the model, as the arena's blocks do) on the CPU; null for another device (DJL would copy it there), with
     * {@code -Deasel.arena=off}, or where there are no arenas.
     */
    private ByteBuffer arena(long bytes, NDManager manager) {
        if (arena == null || !manager.getDevice().equals(Device.cpu())) {
            return null;
        }
        return arena.allocate(bytes);
    }

    /**
     * A zero-copy array over the tensor's bytes mapped copy-on-write, or null when it cannot be: not aligned to its
     * element size in the file (libtorch's kernels assume aligned elements), empty, over 2 GiB (one Java mapping's
     * limit), or the file cannot be mapped privately.
     */
    private NDArray readMapped(
            String key, long position, long bytes, int width, long[] shape, DataType type, NDManager manager) {
        if (bytes == 0 || bytes > Integer.MAX_VALUE || position % width != 0) {
            return null;
        }
        FileChannel ch = mappable();
        if (ch == null) {
            return null;
        }
        MappedByteBuffer pages;
        try {
            if (position + bytes > ch.size()) { // shrunk since it was opened and checked
                throw new EngineException(file + ": truncated (tensor " + key + " ends past the end of the file)");
            }
            pages = ch.map(FileChannel.MapMode.PRIVATE, position, bytes);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // out of address space or mappings: read it instead
        }
        pages.order(ByteOrder.nativeOrder());
        return manager.create(pages, new Shape(shape), type);
    }

    private FileChannel mappable() {
        if (mappable == null && !unmappable) {
            try {
                mappable = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                unmappable = true; // a read-only file or file system: tensors are copied
            }
        }
        return mappable;
    }

    /**
     * Reads into a new array's own memory (for a parameter, a slice of the arena); null when libtorch does not expose
     * it as a buffer of the right size.
     */
    private NDArray readInPlace(
            String key, long position, long bytes, long[] shape, DataType type, NDManager manager, boolean shared) {
        if (shared) {
            PARAMETER_COPIES.addAndGet(bytes);
        }
        ByteBuffer fresh = shared ? arena(bytes, manager) : null;
        if (fresh != null) {
            readFully(key, fresh, position);
            return manager.create(fresh.clear(), new Shape(shape), type);
        }
        NDArray array = manager.create(new Shape(shape), type);
        boolean ok = false;
        try {
            ByteBuffer memory = array.toByteBuffer(true);
            if (!memory.isDirect() || memory.isReadOnly() || memory.capacity() != bytes) {
                return null;
            }
            if (HugePages.worthAdvising(bytes)) {
                HugePages.advise(memory);
            }
            memory.clear();
            readFully(key, memory, position);
            ok = true;
            return array;
        } finally {
            if (!ok) {
                array.close();
            }
        }
    }

    private void readFully(String key, ByteBuffer buf, long position) {
        try {
            long at = position;
            while (buf.hasRemaining()) {
                int r = channel.read(buf, at);
                if (r < 0) {
                    throw new EngineException(file + ": truncated (tensor " + key + " ends past the end of the file)");
                }
                at += r;
            }
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read tensor " + key + " (" + e.getMessage() + ")");
        }
    }

    private ByteBuffer scratch(int bytes) {
        if (scratch == null || scratch.capacity() < bytes) {
            free();
            scratch = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
        }
        scratch.clear();
        return scratch;
    }

    private DataType djlType(String key, String dtype) {
        switch (dtype) {
            case "F64":
                return DataType.FLOAT64;
            case "F32":
                return DataType.FLOAT32;
            case "F16":
                return DataType.FLOAT16;
            case "I64":
                return DataType.INT64;
            case "I32":
                return DataType.INT32;
            case "I8":
                return DataType.INT8;
            case "U8":
                return DataType.UINT8;
            case "BOOL":
                return DataType.BOOLEAN;
            default:
                throw new EngineException(file + ": unsupported dtype " + dtype + " for tensor " + key);
        }
    }

    private void free() {
        if (scratch != null) {
            DirectMemory.free(scratch);
            scratch = null;
        }
    }

    @Override
    public void close() {
        free();
        if (arena != null) {
            arena.release(); // the blocks live on as long as the parameters over them
            arena = null;
        }
        if (mappable != null) {
            try {
                mappable.close(); // the mappings made through it stay valid
            } catch (IOException ignored) {
                // nothing was written through it
            }
            mappable = null;
        }
        unmappable = true;
    }

    /** Frees a direct buffer now rather than at some later garbage collection (it may be 150 MB). */
    static final class DirectMemory {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            Object unsafe = null;
            Method cleaner = null;
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                unsafe = f.get(null);
                cleaner = c.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = cleaner;
        }

        private DirectMemory() {}

        static void free(ByteBuffer direct) {
            if (INVOKE_CLEANER != null && direct.isDirect()) {
                try {
                    INVOKE_CLEANER.invoke(UNSAFE, direct);
                } catch (ReflectiveOperationException | RuntimeException ignored) {
                    // left to the garbage collector
                }
            }
        }
    }
}
