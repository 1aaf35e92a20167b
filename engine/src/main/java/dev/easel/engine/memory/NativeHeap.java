package dev.easel.engine.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;

/**
 * Hands memory that libtorch has freed back to the system ({@code malloc_trim(0)}, glibc). A generation frees
 * hundreds of megabytes of activations, but glibc keeps freed blocks under its mmap threshold in its heaps, so the
 * process's resident size stayed about 11 % above its post-load figure after a 512² generation (bench-engine --full)
 * although nothing was live. Trimming after each generation returns it, as a user watching the kernel's memory expects.
 * Elsewhere than Linux/glibc nothing happens.
 */
public final class NativeHeap {

    /** The one libc function used. */
    private interface LibC extends Library {
        int malloc_trim(long pad);
    }

    private static final LibC LIBC = load();

    private NativeHeap() {}

    private static LibC load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return null;
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            libc.malloc_trim(0); // fails here, once, where the C library is not glibc (musl has no malloc_trim)
            return libc;
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Returns freed native heap memory to the system; whether the C library could be asked. */
    public static boolean releaseFreed() {
        if (LIBC == null) {
            return false;
        }
        LIBC.malloc_trim(0);
        return true;
    }
}
