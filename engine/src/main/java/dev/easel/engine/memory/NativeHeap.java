package dev.easel.engine.memory;

/**
 * Hands memory that libtorch has freed back to the system ({@code malloc_trim(0)}, glibc). A generation frees
 * hundreds of megabytes of activations, but glibc keeps freed blocks under its mmap threshold in its heaps, so the
 * process's resident size stayed about 11 % above its post-load figure after a 512² generation (bench-engine --full)
 * although nothing was live. Trimming after each generation returns it, as a user watching the kernel's memory expects.
 * Elsewhere than Linux/glibc nothing happens.
 */
public final class NativeHeap {

    /** Whether this C library has {@code malloc_trim}: tried once (musl's lacks it, and the call then throws). */
    private static final boolean TRIMS = tryTrim();

    private NativeHeap() {}

    private static boolean tryTrim() {
        try {
            return LibC.INSTANCE != null && LibC.INSTANCE.malloc_trim(0) >= 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Returns freed native heap memory to the system; whether the C library could be asked. */
    public static boolean releaseFreed() {
        if (!TRIMS) {
            return false;
        }
        LibC.INSTANCE.malloc_trim(0);
        return true;
    }
}
