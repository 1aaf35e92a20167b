package dev.easel.engine.memory;

import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What memory a job will need and whether this machine has it. Model weights live in native memory (libtorch), so
 * the Java heap limit says nothing about them: what counts is physical memory the kernel can still hand out
 * ({@code MemAvailable} in {@code /proc/meminfo}) and, inside a container, the cgroup's limit minus its usage
 * ({@code /sys/fs/cgroup/memory.max}, {@code memory.current}; cgroup v1's {@code memory.limit_in_bytes}).
 *
 * <p>Estimates are per job: loading ({@link #forLoad}) and training ({@link #forTraining}), each an {@link Estimate}.
 */
public final class MemoryBudget {

    /** Added to every estimate: libtorch's allocator slack, the loader's read buffer, the JVM's native growth. */
    static final long HEADROOM = 384L << 20;

    /** A job's estimated need; {@code alternatives} are cheaper ways to run it, tried in order when it does not fit. */
    public record Estimate(String job, long bytes, String detail, List<Alternative> alternatives) {

        /** Throws a one-line {@link EngineException} when {@link #available()} is less than {@link #bytes}. */
        public void check() {
            long free = available();
            // a closed model's arena memory (HugePageArena) goes back at the collection after it is closed: collect
            // before saying no
            boolean measured = System.getProperty("easel.memory.available") == null;
            for (int i = 0; i < 20 && measured && free >= 0 && bytes > free; i++) {
                if (i == 0) {
                    System.gc();
                }
                try {
                    Thread.sleep(50); // the cleaner unmaps just after the collection, on its own thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                free = available();
            }
            check(free);
        }

        /** As {@link #check()}, against {@code free} bytes (negative: unknown, nothing is checked). */
        public void check(long free) {
            if (free < 0 || bytes <= free) {
                return;
            }
            StringBuilder msg = new StringBuilder(String.format(
                    Locale.ROOT, "%s needs about %s (%s) but only %s is" + " free", job, gb(bytes), detail, gb(free)));
            Alternative fit = alternatives.stream()
                    .filter(a -> a.bytes() <= free)
                    .findFirst()
                    .orElse(null);
            if (fit != null) {
                msg.append(String.format(Locale.ROOT, "; %s would need %s and fit", fit.option(), gb(fit.bytes())));
            } else {
                msg.append("; close other models or programs, or use a machine with more memory");
                for (Alternative a : alternatives) {
                    msg.append(String.format(Locale.ROOT, " (%s would need %s)", a.option(), gb(a.bytes())));
                }
            }
            throw new EngineException(msg.toString());
        }
    }

    /** Another way to run the job ({@code option}: what the user types or sets) and what it would need. */
    public record Alternative(String option, long bytes) {}

    private MemoryBudget() {}

    /**
     * Loading {@code parameters} weights as {@code dtype}: the loader converts tensor by tensor, so the peak is the
     * weights at the target type plus one tensor, plus {@link #HEADROOM}.
     */
    public static Estimate forLoad(String what, long parameters, DataType dtype) {
        long bytes = parameters * dtype.getNumOfBytes() + HEADROOM;
        List<Alternative> alternatives = dtype == DataType.FLOAT16
                ? List.of()
                : List.of(new Alternative("--dtype fp16", parameters * 2 + HEADROOM));
        return new Estimate(
                "loading " + what,
                bytes,
                String.format(
                        Locale.ROOT,
                        "%.0f M parameters as %s",
                        parameters / 1e6,
                        dtype == DataType.FLOAT16 ? "fp16" : dtype.toString().toLowerCase(Locale.ROOT)),
                alternatives);
    }

    /**
     * A training run as the estimate sees it, once the model is loaded (its weights are already resident, so they are
     * not counted again).
     *
     * @param unetParameters the UNet's parameters
     * @param textEncoderParameters the text encoder's
     * @param vaeParameters the VAE's
     * @param trainTextEncoder whether a full fine-tune trains the text encoder too
     * @param trainableParameters what the optimizer updates (the models, or a LoRA run's adapters)
     * @param loraParameters what LoRA adapters of rank 4 on the same models would have (the LoRA alternative)
     * @param unetBaseChannels the UNet's first block width (320 in SD 1.x/2.x): activations scale with it
     * @param resolution image side in pixels
     * @param samples UNet batch of one micro-batch (the batch, doubled with prior preservation)
     * @param weightType the type the model was loaded in (float32 on a CPU, float16 on a GPU): trained weights become
     *     float32 and frozen ones the mixed-precision type, and the difference is memory the run adds or frees
     * @param heapBytes what the run holds on the Java heap (the decoded training images)
     */
    public record TrainingJob(
            long unetParameters,
            long textEncoderParameters,
            long vaeParameters,
            boolean trainTextEncoder,
            long trainableParameters,
            long loraParameters,
            int unetBaseChannels,
            int resolution,
            int samples,
            boolean lora,
            boolean gradientCheckpointing,
            boolean mixedPrecision,
            DataType weightType,
            long heapBytes) {}

    /*
     * Activation memory of one UNet training step, in bytes per latent pixel per sample at 320 base channels,
     * measured (December 2026, peak RSS incl. file pages via /usr/bin/time) on SD 1.5-size random weights (UNet
     * 859.5 M, float32, fused SDPA), DreamBooth LoRA rank 4 on the UNet, batch 1: with checkpointing 5.29 GB at 256²
     * and 6.33 GB at 512², so 340 KB per latent pixel, of which the VAE encoding below is 128 KB, and a base of
     * 4.94 GB (weights 4.27 GB, JVM and libtorch); without checkpointing 5.79 GB at 256², 830 KB per latent pixel.
     * Without checkpointing every block's intermediates stay until the backward pass; with it only the blocks'
     * inputs and outputs, plus the one block being recomputed.
     */
    static final long ACTIVATION_BYTES_PER_LATENT_PIXEL = 720_000;
    static final long CHECKPOINTED_BYTES_PER_LATENT_PIXEL = 220_000;
    /** The VAE encoding the batch without a graph: its largest layer at full resolution (128 channels, ~4 arrays). */
    static final long VAE_ENCODE_BYTES_PER_PIXEL = 128 * 4 * 4;
    /** Per trainable parameter besides its weight: the gradient and AdamW's two moments, float32 each. */
    static final long OPTIMIZER_BYTES_PER_PARAMETER = 3 * 4;

    /**
     * What a training run will need beyond the loaded weights: gradients and optimizer state of what trains,
     * activations at the resolution and batch (with or without gradient checkpointing), the VAE's encoding, plus
     * {@link #HEADROOM}. Its alternatives, tried in order: gradient checkpointing, LoRA (rank 4) instead of a full
     * fine-tune, both, then fp16 mixed precision on top.
     */
    public static Estimate forTraining(String what, TrainingJob job) {
        List<Alternative> alternatives = new java.util.ArrayList<>();
        if (!job.gradientCheckpointing()) {
            alternatives.add(new Alternative(
                    "--gradient-checkpointing", trainingBytes(job, job.lora(), true, job.mixedPrecision())));
        }
        if (!job.lora()) {
            alternatives.add(new Alternative(
                    "--lora-rank 4", trainingBytes(job, true, job.gradientCheckpointing(), job.mixedPrecision())));
            if (!job.gradientCheckpointing()) {
                alternatives.add(new Alternative(
                        "--lora-rank 4 --gradient-checkpointing",
                        trainingBytes(job, true, true, job.mixedPrecision())));
            }
        }
        if (!job.mixedPrecision()) {
            alternatives.add(new Alternative(
                    "--lora-rank 4 --gradient-checkpointing --mixed-precision fp16",
                    trainingBytes(job, true, true, true)));
        }
        String detail = String.format(
                Locale.ROOT,
                "%.0f M trainable parameters with gradients and AdamW state," + " activations at %d² × %d%s",
                job.trainableParameters() / 1e6,
                job.resolution(),
                job.samples(),
                job.gradientCheckpointing() ? " with gradient checkpointing" : "");
        return new Estimate(
                what,
                trainingBytes(job, job.lora(), job.gradientCheckpointing(), job.mixedPrecision()),
                detail,
                alternatives);
    }

    private static long trainingBytes(TrainingJob job, boolean lora, boolean checkpointing, boolean fp16) {
        long trainable = lora == job.lora() ? job.trainableParameters() : job.loraParameters();
        long optimizer = trainable * OPTIMIZER_BYTES_PER_PARAMETER;
        // every weight that does not train is held in the mixed-precision type (float32 without it), every one that
        // does in float32; what differs from the loaded type is memory the run adds (or frees: the loaded arrays
        // are released as they are converted)
        long frozen = lora
                ? job.unetParameters() + job.textEncoderParameters() + job.vaeParameters()
                : job.vaeParameters() + (job.trainTextEncoder() ? 0 : job.textEncoderParameters());
        long loaded = job.weightType().getNumOfBytes();
        int frozenBytes = fp16 ? 2 : 4;
        long retyped = frozen * (frozenBytes - loaded) + (lora ? 0 : trainable * (4 - loaded));
        // models are converted one at a time, and a converted model's old arrays give their memory back together
        // (arena blocks hold slices of the whole model), at the collection after it: for a moment the largest one
        // is held in both types (measured: SD 1.5's UNet to float16 took the peak from 4.5 to 5.9 GB)
        long largestFrozen = lora
                ? Math.max(job.unetParameters(), Math.max(job.textEncoderParameters(), job.vaeParameters()))
                : Math.max(job.vaeParameters(), job.trainTextEncoder() ? 0 : job.textEncoderParameters());
        long largestTrained =
                lora ? 0 : Math.max(job.unetParameters(), job.trainTextEncoder() ? job.textEncoderParameters() : 0);
        long converting =
                Math.max(frozenBytes == loaded ? 0 : largestFrozen * frozenBytes, loaded == 4 ? 0 : largestTrained * 4);
        long latentPixels = (long) (job.resolution() / 8) * (job.resolution() / 8);
        long perPixel = checkpointing ? CHECKPOINTED_BYTES_PER_LATENT_PIXEL : ACTIVATION_BYTES_PER_LATENT_PIXEL;
        long activations = perPixel * latentPixels * job.samples() * job.unetBaseChannels() / 320;
        long vae = VAE_ENCODE_BYTES_PER_PIXEL * job.resolution() * job.resolution() * job.samples();
        return Math.max(optimizer + activations + vae + retyped, converting) + HEADROOM;
    }

    /**
     * Throws a one-line {@link EngineException} when {@code bytes} of Java heap are more than the heap can still
     * grow into ({@code -Xmx} less what is in use).
     */
    public static void checkHeap(String job, long bytes) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            throw new EngineException(String.format(
                    Locale.ROOT,
                    "%s needs about %s of Java heap but only %s is"
                            + " free; give the JVM more (-Xmx) or use fewer or smaller images",
                    job,
                    gb(bytes),
                    gb(free)));
        }
    }

    /**
     * Bytes this process can still get: the smaller of {@code MemAvailable} and the cgroup's remaining allowance;
     * -1 when neither can be read (not Linux). {@code -Deasel.memory.available=BYTES} overrides it (for tests and for
     * users who want a tighter bound).
     */
    public static long available() {
        String forced = System.getProperty("easel.memory.available");
        if (forced != null) {
            return Long.parseLong(forced.trim());
        }
        long physical = memInfoKb("MemAvailable");
        long best = physical < 0 ? -1 : physical * 1024;
        long cgroup = cgroupRemaining();
        if (cgroup >= 0 && (best < 0 || cgroup < best)) {
            best = cgroup;
        }
        return best;
    }

    /** A field of {@code /proc/meminfo} in kB, or -1. */
    public static long memInfoKb(String field) {
        return kbField(Path.of("/proc/meminfo"), field);
    }

    /** A field of {@code /proc/self/status} in kB ({@code VmRSS}, {@code VmHWM}, {@code RssFile}, …), or -1. */
    public static long processKb(String field) {
        return kbField(Path.of("/proc/self/status"), field);
    }

    /**
     * Resets this process's peak resident size ({@code VmHWM}) to its current size, so the peak of one phase can be
     * measured ({@code echo 5 > /proc/self/clear_refs}, Linux ≥ 4.0). Returns false where that is not possible.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static long cgroupRemaining() {
        long limit = readLong(Path.of("/sys/fs/cgroup/memory.max"));
        long usage = readLong(Path.of("/sys/fs/cgroup/memory.current"));
        if (limit < 0) {
            limit = readLong(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
            usage = readLong(Path.of("/sys/fs/cgroup/memory/memory.usage_in_bytes"));
        }
        if (limit < 0 || limit >= (1L << 60)) {
            return -1; // "max" or v1's "unlimited" (a huge number)
        }
        return Math.max(0, limit - Math.max(0, usage));
    }

    private static long readLong(Path file) {
        try {
            String s = Files.readString(file).trim();
            return s.equals("max") ? -1 : Long.parseLong(s);
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }

    private static long kbField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(
                            line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
