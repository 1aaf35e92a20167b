package dev.easel.engine.memory;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Asks Linux to back a large, not yet touched block of native memory with transparent huge pages
 * ({@code madvise(MADV_HUGEPAGE)}), as libtorch does for its own large allocations when {@code THP_MEM_ALLOC_ENABLE=1}
 * is in its environment ({@link #enableInLibTorch}). Filling fresh memory costs a page fault per page touched:
 * with 2 MiB pages instead of 4 KiB ones, converting SD 1.5's float16 UNet to float32 took 10.1 s of CPU instead of
 * 16.4 s on this project's VM, where a fault is unusually dear (engine/README.md, full-size load). Only the
 * 2 MiB-aligned interior of the block is advised, so no page outside it changes; the advice changes no contents.
 * Elsewhere than Linux, or when the C library cannot be reached, nothing happens.
 */
public final class HugePages {

    /** libtorch's switch for huge pages in its CPU allocator, read once, at its first allocation. */
    private static final String LIBTORCH_SWITCH = "THP_MEM_ALLOC_ENABLE";

    /** What {@link #enableInLibTorch} found or made: Java's {@code System.getenv} keeps the environment of the start. */
    private static volatile boolean inLibTorch;

    private HugePages() {}

    /**
     * Has libtorch give its CPU allocations of 2 MiB and more huge pages ({@code THP_MEM_ALLOC_ENABLE=1}: aligned to
     * 2 MiB and advised), by putting the variable into this process's environment, where libtorch's allocator reads
     * it at its first allocation: call this first thing in {@code main}, before anything touches libtorch. Why: every
     * UNet step allocates and frees activations of tens of MB (an 84 MB GEGLU projection at 512²), which glibc maps
     * afresh each time, so each is faulted in page by page again; with 4 KiB pages that cost ~45 % of a full-size
     * 512² step on this project's VM (19.8 s → 10.9–11.9 s with the switch, engine/README.md). A value already in the
     * environment is kept (the kernel's {@code kernel.json} sets it, so a kernel's start does not pay the ~130 ms of
     * loading JNA here; a user's {@code THP_MEM_ALLOC_ENABLE=0} turns it off); {@code -Deasel.thp=off} turns it off
     * too. Returns whether the variable now says on. {@code setenv} is not safe beside threads reading the
     * environment, hence only at start, while the JVM's own threads do not.
     */
    public static synchronized boolean enableInLibTorch() {
        String set = System.getenv(LIBTORCH_SWITCH);
        boolean wanted = !"off".equals(System.getProperty("easel.thp"));
        if (set == null) {
            inLibTorch = wanted && setenv("1");
        } else if (set.equals("1") && !wanted) {
            inLibTorch = !setenv("0"); // the kernel's kernel.json set it; the property asks for off
        } else {
            inLibTorch = set.equals("1");
        }
        return inLibTorch;
    }

    private static boolean setenv(String value) {
        LibC libc = LibC.INSTANCE;
        try {
            return libc != null && libc.setenv(LIBTORCH_SWITCH, value, 1) == 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Whether libtorch was started with huge pages for its allocations, as far as {@link #enableInLibTorch} knows. */
    public static boolean inLibTorch() {
        return inLibTorch;
    }

    /** Whether a block of {@code bytes} is worth advising: it holds at least one whole huge page. */
    public static boolean worthAdvising(long bytes) {
        return LibC.INSTANCE != null && bytes >= 2 * LibC.HUGE_PAGE;
    }

    /**
     * Advises huge pages for the direct buffer's memory; call it before the memory is first written. Returns whether
     * the kernel took the advice (false when huge pages are off or the platform has none; the memory works the same).
     */
    public static boolean advise(ByteBuffer direct) {
        LibC libc = LibC.INSTANCE;
        if (libc == null || !direct.isDirect()) {
            return false;
        }
        try {
            long address = Pointer.nativeValue(Native.getDirectBufferPointer(direct));
            long start = (address + LibC.HUGE_PAGE - 1) & -LibC.HUGE_PAGE;
            long end = (address + direct.capacity()) & -LibC.HUGE_PAGE;
            return end > start
                    && libc.madvise(new Pointer(start), new NativeLong(end - start), LibC.MADV_HUGEPAGE) == 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
