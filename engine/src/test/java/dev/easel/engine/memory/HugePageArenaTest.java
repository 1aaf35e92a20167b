package dev.easel.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Arena slices are aligned, separate and zero until written; the threads that fault pages in ahead never change what
 * a caller wrote; the memory goes back once the arena is released and no slice is reachable.
 */
class HugePageArenaTest {

    @Test
    void slicesAreAlignedSeparateAndKeepWhatIsWrittenWhilePagesFaultAhead() {
        assumeTrue(HugePageArena.available(), "no arenas on this platform");
        HugePageArena arena = new HugePageArena();
        List<ByteBuffer> slices = new ArrayList<>();
        // sizes from a few bytes to past a block, so slices fill blocks, open new ones and go back to earlier ones
        long[] sizes = {12, 4 << 20, 3, 100_000, HugePageArena.BLOCK - (6 << 20), 40 << 20, 1 << 20, 7, 5 << 20};
        for (long size : sizes) {
            ByteBuffer b = arena.allocate(size);
            assertNotNull(b, "a slice of " + size);
            assertEquals(size, b.capacity());
            assertEquals(0, address(b) % 64, "64-byte aligned");
            for (int i = 0; i < b.capacity(); i += 4093) {
                assertEquals(0, b.get(i), "fresh memory reads as zeros");
            }
            // written at once, while the faulting threads may still be adding zero to the same pages
            for (int i = 0; i < b.capacity(); i++) {
                b.put(i, (byte) (slices.size() + 1 + i));
            }
            slices.add(b);
        }
        arena.release();
        for (int s = 0; s < slices.size(); s++) {
            ByteBuffer b = slices.get(s);
            for (int i = 0; i < b.capacity(); i++) {
                if (b.get(i) != (byte) (s + 1 + i)) {
                    throw new AssertionError("slice " + s + " changed at byte " + i);
                }
            }
        }
        for (int s = 1; s < slices.size(); s++) {
            long start = address(slices.get(s));
            for (int t = 0; t < s; t++) {
                long other = address(slices.get(t));
                assertTrue(
                        start >= other + slices.get(t).capacity()
                                || other >= start + slices.get(s).capacity(),
                        "slices " + t + " and " + s + " overlap");
            }
        }
    }

    @Test
    void theMemoryGoesBackOnceNoSliceIsReachable() throws InterruptedException {
        assumeTrue(HugePageArena.available(), "no arenas on this platform");
        long before = MemoryBudget.processKb("RssAnon");
        HugePageArena arena = new HugePageArena();
        List<ByteBuffer> slices = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ByteBuffer b = arena.allocate(32 << 20);
            for (int at = 0; at < b.capacity(); at += 4096) {
                b.put(at, (byte) 1);
            }
            slices.add(b);
        }
        arena.release();
        long held = MemoryBudget.processKb("RssAnon");
        assertTrue(held - before > 200_000, "256 MB written: RssAnon " + before + " → " + held + " kB");
        slices.clear();
        long after = held;
        for (int i = 0; i < 50 && held - after < 200_000; i++) {
            System.gc();
            Thread.sleep(100);
            after = MemoryBudget.processKb("RssAnon");
        }
        assertTrue(
                held - after > 200_000, "unmapped after the last slice went: RssAnon " + held + " → " + after + " kB");
    }

    private static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }
}
