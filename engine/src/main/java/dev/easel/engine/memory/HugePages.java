package dev.easel.engine.memory;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

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

    private static final LibC LIBC = LibC.INSTANCE;

    private HugePages() {}

    /** Whether a block of {@code bytes} is worth advising: it holds at least one whole huge page. */
    public static boolean worthAdvising(long bytes) {
        return LIBC != null && bytes >= 2 * LibC.HUGE_PAGE;
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
            long start = (address + LibC.HUGE_PAGE - 1) & -LibC.HUGE_PAGE;
            long end = (address + direct.capacity()) & -LibC.HUGE_PAGE;
            return end > start
                    && LIBC.madvise(new Pointer(start), new NativeLong(end - start), LibC.MADV_HUGEPAGE) == 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
