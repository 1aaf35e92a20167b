package dev.easel.engine.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.util.Locale;
import java.util.Set;

/** The Linux C library's memory calls, through JNA; {@link #INSTANCE} is null elsewhere or when unreachable. */
interface LibC extends Library {

    /** {@code MADV_HUGEPAGE} in Linux's {@code <sys/mman.h>}, the same on every architecture. */
    int MADV_HUGEPAGE = 14;

    /** {@code MADV_DONTNEED}: the range's pages are freed; anonymous memory reads as zeros again. */
    int MADV_DONTNEED = 4;

    /** Bytes in a transparent huge page on x86-64 and ARM64 with 4 KiB base pages. */
    long HUGE_PAGE = 2L << 20;

    LibC INSTANCE = load();

    /** Whether the {@code mmap} flag values used here are this architecture's (they differ on some others). */
    boolean MMAP_FLAGS_KNOWN = Set.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch", ""));

    Pointer mmap(Pointer address, NativeLong length, int protection, int flags, int fd, NativeLong offset);

    int munmap(Pointer address, NativeLong length);

    int madvise(Pointer address, NativeLong length, int advice);

    /** glibc's {@code malloc_trim(pad)}: freed heap memory back to the system (musl has none: the call then fails). */
    int malloc_trim(long pad);

    /** {@code setenv(name, value, overwrite)}: changes this process's environment as C code reads it. */
    int setenv(String name, String value, int overwrite);

    /** {@code getenv(name)}: this process's environment as C code reads it (Java's {@code System.getenv} is a copy). */
    String getenv(String name);

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
}
