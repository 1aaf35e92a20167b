package dev.easel.engine.memory;

import ai.djl.ndarray.types.DataType;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memory estimates before loading: one line saying what is needed, what is free and what would fit. */
class MemoryBudgetTest {

    private static final long SD15 = 1_066_235_307L;

    @Test
    void aLoadThatDoesNotFitSaysWhatWouldFit() {
        MemoryBudget.Estimate e = MemoryBudget.forLoad("sd15", SD15, DataType.FLOAT32);
        assertEquals(SD15 * 4 + MemoryBudget.HEADROOM, e.bytes());
        e.check(e.bytes()); // exactly enough is enough
        String msg = assertThrows(EngineException.class, () -> e.check(3_000_000_000L)).getMessage();
        assertEquals("loading sd15 needs about 4.7 GB (1066 M parameters as float32) but only 3.0 GB is free;"
                + " --dtype fp16 would need 2.5 GB and fit", msg);
        String none = assertThrows(EngineException.class, () -> e.check(1_000_000_000L)).getMessage();
        assertTrue(none.contains("only 1.0 GB is free; close other models or programs")
                && none.contains("(--dtype fp16 would need 2.5 GB)"), none);
        MemoryBudget.forLoad("sd15", SD15, DataType.FLOAT32).check(-1); // unknown: not checked
    }

    @Test
    void thisMachineReportsAvailableMemory() {
        long free = MemoryBudget.available();
        assertTrue(free > 100_000_000L, "MemAvailable/cgroup read: " + free);
        assertTrue(MemoryBudget.processKb("VmRSS") > 0);
    }

    @Test
    void pipelineLoadChecksBeforeReadingAnyWeight() {
        System.setProperty("easel.memory.available", "1000000");
        try {
            EngineException e = assertThrows(EngineException.class,
                    () -> ModelLoader.load(Reference.model(), LoadOptions.cpu()).close());
            assertTrue(e.getMessage().startsWith("loading " + Reference.model() + " needs about"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        } finally {
            System.clearProperty("easel.memory.available");
        }
        ModelLoader.load(Reference.model(), LoadOptions.cpu()).close();
    }
}
