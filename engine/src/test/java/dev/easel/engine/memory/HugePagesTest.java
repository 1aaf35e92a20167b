package dev.easel.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class HugePagesTest {

    @Test
    void libTorchSwitchIsSetWhereCReadsIt() {
        assumeTrue(LibC.INSTANCE != null, "not Linux");
        assumeTrue(System.getenv("THP_MEM_ALLOC_ENABLE") == null, "the test's environment sets the switch itself");
        assertTrue(HugePages.enableInLibTorch());
        assertTrue(HugePages.inLibTorch());
        // libtorch's allocator reads the C environment, which Java's System.getenv does not show after the start
        assertEquals("1", LibC.INSTANCE.getenv("THP_MEM_ALLOC_ENABLE"));
    }
}
