package dev.easel.engine.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Asks Linux to back a large, not yet touched block of native memory with transparent huge pages
 * ({@code madvise(MADV_HUGEPAGE)}), as libtorch does for all its allocations when {@code THP_MEM_ALLOC_ENABLE=1} is in
 * the environment at start — which a running JVM cannot set. Filling fresh memory costs a page fault per page touched:
 * with 2 MiB pages instead of 4 KiB ones, converting SD 1.5's float16 UNet to float32 took 10.1 s of CPU instead of
 * 16.4 s on this project's VM, where a fault is unusually dear (engine/README.md, full-size load). Only the
 * 2 MiB-aligned interior of the block is advised, so no page outside it changes; the advice changes no contents.
 * Elsewhere than Linux, or when the C library cannot be reached, nothing happens.
 */
public final class HugePages {

    /** {@code MADV_HUGEPAGE} in Linux's {@code <sys/mman.h>}, the same on every architecture. */
    private static final int MADV_HUGEPAGE = 14;

    private static final long HUGE_PAGE = 2L << 20;

    /** The one libc function used. */
    private interface LibC extends Library {
        int madvise(Pointer address, NativeLong length, int advice);
    }

    private static final LibC LIBC = load();

    private HugePages() {}

    private static LibC load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Whether a block of {@code bytes} is worth advising: it holds at least one whole huge page. */
    public static boolean worthAdvising(long bytes) {
        return LIBC != null && bytes >= 2 * HUGE_PAGE;
    }

    /**
     * Advises huge pages for the direct buffer's memory; call it before the memory is first written. Returns whether
     * the kernel took the advice (false when huge pages are off or the platform has none; the memory works the same).
     */
    public static boolean advise(ByteBuffer direct) {
        if (LIBC == null || !direct.isDirect()) {
            return false;
        }
        try {
            long address = Pointer.nativeValue(Native.getDirectBufferPointer(direct));
            long start = (address + HUGE_PAGE - 1) & -HUGE_PAGE;
            long end = (address + direct.capacity()) & -HUGE_PAGE;
            return end > start && LIBC.madvise(new Pointer(start), new NativeLong(end - start), MADV_HUGEPAGE) == 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
