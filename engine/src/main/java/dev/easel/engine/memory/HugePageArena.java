package dev.easel.engine.memory;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Fresh memory for many arrays that live and die together (a model's converted weights), carved out of a few large
 * anonymous mappings that are 2 MiB-aligned and advised transparent huge pages before anything touches them. On this
 * project's VM, first-writing fresh memory is the whole cost of loading a converted model (engine/README.md, full-size
 * load): with huge pages it costs less than half of what 4 KiB pages do, and here every byte gets them — small tensors and
 * the unaligned ends of large ones too, which memory of their own each ({@link HugePages#advise}) cannot give.
 *
 * <p>The time goes into the first write of each page (the kernel zeroes it, and here the host backs it first), so
 * threads of the arena's own ({@link #faultsAhead}, as many as there are cores, up to 8) write each page's first byte
 * ahead of what is handed out: the faulting runs on every core while the caller reads and converts, whose copies then
 * run on its own thread (WeightLoader) instead of waking libtorch's workers for each tensor.
 *
 * <p>{@link #allocate} hands out 64-byte-aligned slices of a block ({@link #BLOCK} bytes, or one tensor's size if
 * larger), never zeroed (a new mapping reads as zeros; the faulting threads' writes add zero). Each slice references
 * its block's root buffer, so a block is unmapped by a {@link Cleaner} once the arena and every slice over it — and so
 * every array created over one (DJL keeps the buffer a CPU array was created over) — is unreachable: at the garbage
 * collection after the last of them is closed. Untouched space at a block's end costs address space, not memory. Not
 * thread-safe. Elsewhere than Linux on x86-64 or ARM64, or when the C library cannot be reached or a mapping is
 * refused, {@link #allocate} returns null and the caller allocates as before.
 */
public final class HugePageArena {

    /** Bytes per block: 16 blocks for SD 1.5's float32 UNet, so at most 16 partly used huge pages at block ends. */
    static final long BLOCK = 256L << 20;

    private static final int ALIGN = 64; // libtorch's own allocation alignment
    private static final int PAGE = 4096; // the smallest page: one write in each faults in any page size
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000; // the same on x86-64 and ARM64
    private static final Cleaner UNMAPPER = Cleaner.create();

    /** How far ahead of what is handed out the faulting threads write. */
    private static final long AHEAD = 64L << 20;

    private static final boolean ENABLED = !"off".equals(System.getProperty("easel.arena"));

    /** {@code -Deasel.prefault=off}: no faulting threads; each page is faulted by its first writer (to compare). */
    private static final boolean PREFAULT = !"off".equals(System.getProperty("easel.prefault"));

    /** A page's first write, atomically adding zero: changes nothing a concurrent writer may have stored. */
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private static final int FAULTERS =
            Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    private static final ExecutorService FAULTING = Executors.newFixedThreadPool(FAULTERS, r -> {
        Thread t = new Thread(r, "easel-prefault");
        t.setDaemon(true);
        return t;
    });

    private final List<Block> blocks = new ArrayList<>();
    private final List<Future<?>> faulting = new ArrayList<>();

    /** A mapping, how much of it is handed out and up to where its pages are (being) faulted in. */
    private static final class Block {
        final ByteBuffer root;
        long used;
        long faulted;

        Block(ByteBuffer root) {
            this.root = root;
        }
    }

    /** Unmaps a block; holds no reference to its buffer, or the buffer could never become unreachable. */
    private record Unmap(long address, long length) implements Runnable {
        @Override
        public void run() {
            LibC.INSTANCE.munmap(new Pointer(address), new NativeLong(length));
        }
    }

    /**
     * Whether arenas are used: this platform has them and {@code -Deasel.arena=off} (memory of its own for each array,
     * the loader before arenas, to compare) is not set. Otherwise {@link #allocate} always returns null.
     */
    public static boolean available() {
        return ENABLED && LibC.INSTANCE != null && LibC.MMAP_FLAGS_KNOWN;
    }

    /** Whether arenas fault their pages in ahead, on threads of their own ({@code -Deasel.prefault=off}: not). */
    public static boolean faultsAhead() {
        return available() && PREFAULT;
    }

    /**
     * A new native-order direct buffer of exactly {@code bytes} bytes of fresh huge-page memory, or null when there is
     * none to give (no arenas here, an empty or 2 GiB request, a refused mapping).
     */
    public ByteBuffer allocate(long bytes) {
        if (!available() || bytes <= 0 || bytes > Integer.MAX_VALUE - ALIGN) {
            return null;
        }
        Block block = null;
        for (Block b : blocks) {
            if (align(b.used) + bytes <= b.root.capacity()) {
                block = b;
                break;
            }
        }
        if (block == null) {
            long size = Math.max(BLOCK, (bytes + LibC.HUGE_PAGE - 1) & -LibC.HUGE_PAGE);
            ByteBuffer root = size <= Integer.MAX_VALUE ? map(size) : null;
            if (root == null) {
                return null;
            }
            block = new Block(root);
            blocks.add(block);
        }
        int at = (int) align(block.used);
        block.used = at + bytes;
        faultAhead(block);
        return block.root.slice(at, (int) bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Has the faulting threads write the first byte of every page from where they got to up to {@link #AHEAD} past
     * what is handed out, split among them. First writes are where the time of filling fresh memory goes (the kernel
     * zeroes each huge page, and here the host backs it): done by threads of their own, they go on while the caller
     * reads and converts, and on every core; the caller's writes then find the pages there.
     */
    private void faultAhead(Block block) {
        long to = Math.min(block.root.capacity(), (block.used + AHEAD + LibC.HUGE_PAGE - 1) & -LibC.HUGE_PAGE);
        if (!PREFAULT || to <= block.faulted) {
            return;
        }
        long from = block.faulted;
        block.faulted = to;
        long pages = (to - from) / LibC.HUGE_PAGE;
        long perThread = Math.max(1, (pages + FAULTERS - 1) / FAULTERS) * LibC.HUGE_PAGE;
        ByteBuffer root = block.root;
        for (long start = from; start < to; start += perThread) {
            long s = start;
            long e = Math.min(to, start + perThread);
            try {
                faulting.add(FAULTING.submit(() -> {
                    for (long at = s; at < e; at += PAGE) {
                        INTS.getAndAdd(root, (int) at, 0);
                    }
                }));
            } catch (RejectedExecutionException ignored) {
                return; // the pages fault in as they are written
            }
        }
        faulting.removeIf(Future::isDone);
    }

    /**
     * Lets go of the blocks: each is unmapped once no slice of it is reachable any more. Pages faulted in ahead but
     * never handed out are given back now.
     */
    public void release() {
        for (Future<?> f : faulting) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // a page not faulted ahead faults in when written
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        faulting.clear();
        for (Block b : blocks) {
            long unused = (b.used + LibC.HUGE_PAGE - 1) & -LibC.HUGE_PAGE;
            if (b.faulted > unused) {
                long address = Pointer.nativeValue(Native.getDirectBufferPointer(b.root));
                LibC.INSTANCE.madvise(
                        new Pointer(address + unused), new NativeLong(b.faulted - unused), LibC.MADV_DONTNEED);
            }
        }
        blocks.clear();
    }

    private static long align(long offset) {
        return (offset + ALIGN - 1) & -ALIGN;
    }

    /** A 2 MiB-aligned anonymous mapping of {@code size} bytes advised huge pages, or null. */
    private static ByteBuffer map(long size) {
        try {
            long padded = size + LibC.HUGE_PAGE;
            Pointer p = LibC.INSTANCE.mmap(
                    null,
                    new NativeLong(padded),
                    PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS_NORESERVE,
                    -1,
                    new NativeLong(0));
            long address = Pointer.nativeValue(p);
            if (p == null || address == -1) {
                return null;
            }
            long start = (address + LibC.HUGE_PAGE - 1) & -LibC.HUGE_PAGE;
            // give back the unaligned head and tail, so that the block is exactly size bytes from a huge-page boundary
            if (start > address) {
                LibC.INSTANCE.munmap(p, new NativeLong(start - address));
            }
            long tail = address + padded - (start + size);
            if (tail > 0) {
                LibC.INSTANCE.munmap(new Pointer(start + size), new NativeLong(tail));
            }
            LibC.INSTANCE.madvise(new Pointer(start), new NativeLong(size), LibC.MADV_HUGEPAGE);
            ByteBuffer root = new Pointer(start).getByteBuffer(0, size);
            UNMAPPER.register(root, new Unmap(start, size));
            return root;
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }
}
