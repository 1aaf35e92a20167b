package dev.easel.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Memory estimates before loading: one line saying what is needed, what is free and what would fit. */
class MemoryBudgetTest {

    private static final long SD15 = 1_066_235_307L;

    @Test
    void aLoadThatDoesNotFitSaysWhatWouldFit() {
        MemoryBudget.Estimate e = MemoryBudget.forLoad("sd15", SD15, DataType.FLOAT32);
        assertEquals(SD15 * 4 + MemoryBudget.HEADROOM, e.bytes());
        e.check(e.bytes()); // exactly enough is enough
        String msg = assertThrows(EngineException.class, () -> e.check(3_000_000_000L))
                .getMessage();
        assertEquals(
                "loading sd15 needs about 4.7 GB (1066 M parameters as float32) but only 3.0 GB is free;"
                        + " --dtype fp16 would need 2.5 GB and fit",
                msg);
        String none = assertThrows(EngineException.class, () -> e.check(1_000_000_000L))
                .getMessage();
        assertTrue(
                none.contains("only 1.0 GB is free; close other models or programs")
                        && none.contains("(--dtype fp16 would need 2.5 GB)"),
                none);
        MemoryBudget.forLoad("sd15", SD15, DataType.FLOAT32).check(-1); // unknown: not checked
    }

    /** SD 1.5's sizes: UNet 859.5 M, text encoder 123.1 M, VAE 83.7 M parameters; 512², batch 1. */
    private static MemoryBudget.TrainingJob sd15(boolean lora, boolean checkpointing) {
        long unet = 859_520_964L;
        long textEncoder = 123_060_480L;
        long vae = 83_653_863L;
        long rank4 = unet / 1000;
        return new MemoryBudget.TrainingJob(
                unet,
                textEncoder,
                vae,
                false,
                lora ? rank4 : unet,
                rank4,
                320,
                512,
                1,
                lora,
                checkpointing,
                false,
                DataType.FLOAT32,
                2 * 4 * 512 * 512);
    }

    @Test
    void trainingCountsOptimizerStateAndActivationsAndNamesTheOptionThatFits() {
        MemoryBudget.Estimate full = MemoryBudget.forTraining("DreamBooth training", sd15(false, false));
        long latent = 64 * 64;
        long activations = MemoryBudget.ACTIVATION_BYTES_PER_LATENT_PIXEL * latent;
        long vaeEncode = MemoryBudget.VAE_ENCODE_BYTES_PER_PIXEL * 512 * 512;
        assertEquals(
                859_520_964L * 12 + activations + vaeEncode + MemoryBudget.HEADROOM,
                full.bytes(),
                "gradient and AdamW's m and v per UNet weight, the activations, the VAE's encoding");
        long checkpointed = 859_520_964L * 12
                + MemoryBudget.CHECKPOINTED_BYTES_PER_LATENT_PIXEL * latent
                + vaeEncode
                + MemoryBudget.HEADROOM;
        assertEquals(
                List.of(
                        "--gradient-checkpointing",
                        "--lora-rank 4",
                        "--lora-rank 4 --gradient-checkpointing",
                        "--lora-rank 4 --gradient-checkpointing --mixed-precision fp16"),
                full.alternatives().stream()
                        .map(MemoryBudget.Alternative::option)
                        .toList());
        assertEquals(checkpointed, full.alternatives().get(0).bytes());

        // Enough for checkpointing but not for keeping the activations: checkpointing is named.
        String msg = assertThrows(EngineException.class, () -> full.check(checkpointed))
                .getMessage();
        assertTrue(
                msg.startsWith("DreamBooth training needs about " + MemoryBudget.gb(full.bytes())
                        + " (860 M trainable parameters with gradients and AdamW state, activations at 512² × 1) but only "
                        + MemoryBudget.gb(checkpointed) + " is free; --gradient-checkpointing would need "
                        + MemoryBudget.gb(checkpointed) + " and fit"),
                msg);
        // Too little for a full fine-tune at all: LoRA is named, with checkpointing when that alone does not fit.
        MemoryBudget.Estimate lora = MemoryBudget.forTraining("x", sd15(true, false));
        MemoryBudget.Estimate loraCheckpointed = MemoryBudget.forTraining("x", sd15(true, true));
        assertEquals(lora.bytes(), full.alternatives().get(1).bytes());
        assertEquals(loraCheckpointed.bytes(), full.alternatives().get(2).bytes());
        String toLora = assertThrows(EngineException.class, () -> full.check(lora.bytes()))
                .getMessage();
        assertTrue(toLora.endsWith("--lora-rank 4 would need " + MemoryBudget.gb(lora.bytes()) + " and fit"), toLora);
        String toBoth = assertThrows(EngineException.class, () -> full.check(loraCheckpointed.bytes()))
                .getMessage();
        assertTrue(
                toBoth.endsWith("--lora-rank 4 --gradient-checkpointing would need "
                        + MemoryBudget.gb(loraCheckpointed.bytes()) + " and fit"),
                toBoth);
        // fp16 mixed precision halves the frozen weights, but converting a float32 load holds the UNet in both types
        // for a moment: from a float32 load it needs more than LoRA with checkpointing (on a GPU it is what fits)
        long fp16 = full.alternatives().get(3).bytes();
        assertEquals(2 * 859_520_964L + MemoryBudget.HEADROOM, fp16);
        assertTrue(fp16 > loraCheckpointed.bytes());
        full.check(full.bytes()); // exactly enough is enough
        loraCheckpointed.check(-1); // unknown: not checked
        assertFalse(msg.contains("\n"));
    }

    @Test
    void trainingCountsWeightsThatChangeType() {
        long frozen = 859_520_964L + 123_060_480L + 83_653_863L; // a LoRA run trains adapters only
        MemoryBudget.TrainingJob cpu = sd15(true, true); // loaded float32, trained in float32
        MemoryBudget.TrainingJob cpuFp16 = withTypes(cpu, true, DataType.FLOAT32);
        MemoryBudget.TrainingJob gpuFp16 = withTypes(cpu, true, DataType.FLOAT16);
        MemoryBudget.TrainingJob gpuFloat32 = withTypes(cpu, false, DataType.FLOAT16);
        long base = MemoryBudget.forTraining("x", cpu).bytes();
        // a float32 model with fp16 mixed precision: the frozen weights are converted and the float32 ones released,
        // which leaves less to need than the moment the UNet is held in both types
        assertTrue(base - 2 * frozen < 2 * 859_520_964L + MemoryBudget.HEADROOM);
        assertEquals(
                2 * 859_520_964L + MemoryBudget.HEADROOM,
                MemoryBudget.forTraining("x", cpuFp16).bytes());
        // a float16 model (GPU): with mixed precision nothing changes type, without it the frozen weights double
        assertEquals(base, MemoryBudget.forTraining("x", gpuFp16).bytes());
        assertEquals(
                base + 2 * frozen, MemoryBudget.forTraining("x", gpuFloat32).bytes());
        // a full fine-tune of a float16 model trains float32 master weights: the UNet's double too
        MemoryBudget.TrainingJob full = sd15(false, true);
        assertEquals(
                MemoryBudget.forTraining("x", full).bytes() + 2 * 859_520_964L,
                MemoryBudget.forTraining("x", withTypes(full, true, DataType.FLOAT16))
                        .bytes());
    }

    private static MemoryBudget.TrainingJob withTypes(
            MemoryBudget.TrainingJob job, boolean mixedPrecision, DataType weightType) {
        return new MemoryBudget.TrainingJob(
                job.unetParameters(),
                job.textEncoderParameters(),
                job.vaeParameters(),
                job.trainTextEncoder(),
                job.trainableParameters(),
                job.loraParameters(),
                job.unetBaseChannels(),
                job.resolution(),
                job.samples(),
                job.lora(),
                job.gradientCheckpointing(),
                mixedPrecision,
                weightType,
                job.heapBytes());
    }

    @Test
    void trainingImagesMustFitTheJavaHeap() {
        MemoryBudget.checkHeap("DreamBooth training", 1024);
        String msg = assertThrows(
                        EngineException.class,
                        () -> MemoryBudget.checkHeap(
                                "DreamBooth training", Runtime.getRuntime().maxMemory() + 1))
                .getMessage();
        assertTrue(
                msg.startsWith("DreamBooth training needs about ")
                        && msg.endsWith("give the JVM more (-Xmx) or use" + " fewer or smaller images"),
                msg);
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
            EngineException e = assertThrows(
                    EngineException.class,
                    () -> ModelLoader.load(Reference.model(), LoadOptions.cpu()).close());
            assertTrue(e.getMessage().startsWith("loading " + Reference.model() + " needs about"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        } finally {
            System.clearProperty("easel.memory.available");
        }
        ModelLoader.load(Reference.model(), LoadOptions.cpu()).close();
    }
}
