package dev.easel.engine.pipeline;

import dev.easel.engine.EngineException;
import dev.easel.engine.io.Png;
import dev.easel.engine.memory.MemoryBudget;
import dev.easel.engine.models.VaeTiling;
import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a generation request may ask for, checked before anything is allocated: the image size (one check for the
 * command line, the Java API, the magics and the sweep) and a first estimate of the memory it needs against the
 * memory this machine has, so that {@code --batch 100000} or {@code --width 100000} is a one-line refusal instead of
 * the out-of-memory killer. {@link GenerationSettings#validate()} runs both, and every generation validates.
 *
 * <p>The estimate is deliberately simple and per-pixel, from SD 1.x/2.x's widest blocks (it over-estimates smaller
 * models): the UNet's batch at the latent resolution, the VAE decoder (one image at a time) at full resolution, and
 * the Java images. Attention memory is not in it yet. {@link #estimate} is the one place a finer estimator (per model
 * and device) replaces.
 *
 * <p>A request that fits only with VAE tiling is refused with a line naming {@code --vae-tiling}, not tiled behind the
 * user's back: tiling changes the pixels, and the same settings must make the same image on every machine (a
 * diffusers user turns {@code enable_vae_tiling} on; it never switches itself on).
 */
public final class GenerationLimits {

    /** The longest side asked for: beyond it no SD-family model draws anything useful, and buffers overflow. */
    public static final int MAX_SIDE = 8192;
    /**
     * The VAE decoder's peak per image pixel, measured: SD 1.5's decoder at 512² peaked 1,374 MB above its weights
     * (bench-engine --full, stages freed as they finish), about eleven float32 tensors of 128 channels at full
     * resolution (oneDNN's reorders and the up-sampling's inputs and outputs live together). The first guess, four,
     * let untiled 1024² decodes through that then needed 7 GB.
     */
    static final long DECODER_BYTES_PER_PIXEL = 4L * 128 * 11;
    /** The UNet's peak per latent pixel and batch entry: about twenty live float32 tensors of 320 channels. */
    static final long UNET_BYTES_PER_LATENT_PIXEL = 20L * 320 * 4;
    /** Java heap per image pixel: the image (4 bytes) and its float conversion (12). */
    static final long HEAP_BYTES_PER_PIXEL = 16;
    /**
     * The tile side a VAE-tiling estimate assumes when the VAE's own is meant: SD 2.x-v's 768 (SD 1.x's 512 needs
     * less), so the estimate errs high, as the rest of it does.
     */
    static final int TILE_FOR_ESTIMATE = 768;
    /**
     * With VAE tiling, per output pixel: float32 RGB held about four times over — the row of tiles above, the kept
     * strips, the joined image and its conversion.
     */
    static final long TILED_BYTES_PER_PIXEL = 4L * 3 * 4;

    private GenerationLimits() {}

    /**
     * Checks an image size: positive multiples of 8 (the VAE halves it three times) of at most {@link #MAX_SIDE}.
     *
     * @throws EngineException one line with the size asked for and one to use instead
     */
    public static void checkSize(int width, int height) {
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
            throw new EngineException("size must be a multiple of 8 on each side, got " + width + "x" + height
                    + " (try " + round8(width) + "x" + round8(height) + ")");
        }
        if (width > MAX_SIDE || height > MAX_SIDE) {
            throw new EngineException("size " + width + "x" + height + " is larger than " + MAX_SIDE + " pixels a side,"
                    + " the most Easel draws (Stable Diffusion models are trained at 512-1024); ask for at most "
                    + Math.min(width, MAX_SIDE) + "x" + Math.min(height, MAX_SIDE));
        }
    }

    private static int round8(int v) {
        return Math.min(MAX_SIDE, Math.max(8, Math.round(v / 8f) * 8));
    }

    /** Memory a request needs: native (PyTorch) bytes and Java heap bytes. */
    public record Estimate(long nativeBytes, long heapBytes) {}

    /**
     * The memory a generation of {@code images} images of {@code width}×{@code height} needs, the UNet running them as
     * one batch (twice with classifier-free guidance), the VAE decoding one image at a time — with {@code vaeTiling}
     * (null: none) one tile at a time.
     */
    public static Estimate estimate(int width, int height, int images, boolean guided, VaeTiling vaeTiling) {
        long pixels = (long) width * height;
        long unetBatch = (long) images * (guided ? 2 : 1);
        long unet = unetBatch * (pixels / 64) * UNET_BYTES_PER_LATENT_PIXEL;
        long decoder;
        if (vaeTiling == null) {
            decoder = pixels * DECODER_BYTES_PER_PIXEL;
        } else {
            int tile = vaeTiling.tileSize() > 0 ? vaeTiling.tileSize() : TILE_FOR_ESTIMATE;
            decoder = (long) Math.min(width, tile) * Math.min(height, tile) * DECODER_BYTES_PER_PIXEL
                    + pixels * TILED_BYTES_PER_PIXEL;
        }
        return new Estimate(unet + decoder, images * pixels * HEAP_BYTES_PER_PIXEL);
    }

    /**
     * Refuses a request that cannot fit in this machine's memory.
     *
     * @throws EngineException one line with the estimate, the memory available, and what to ask for instead
     *     ({@code --vae-tiling} when that would fit)
     */
    public static void checkMemory(GenerationSettings s) {
        boolean guided = s.guidanceScale() > 1;
        Estimate need = estimate(s.width(), s.height(), s.batchSize(), guided, s.vaeTiling());
        long heap = availableHeap();
        if (need.heapBytes() > heap) {
            throw tooLarge(s, need.heapBytes(), heap, "Java heap (-Xmx)", "");
        }
        long memory = availableMemory();
        if (memory > 0 && need.nativeBytes() > memory) {
            String tiled = "";
            if (s.vaeTiling() == null) {
                long withTiling = estimate(s.width(), s.height(), s.batchSize(), guided, VaeTiling.DEFAULT)
                        .nativeBytes();
                if (withTiling <= memory) {
                    tiled = "; --vae-tiling (VAE decoding in tiles) would need about " + gb(withTiling) + " and fit";
                }
            }
            throw tooLarge(s, need.nativeBytes(), memory, "memory", tiled);
        }
    }

    /**
     * Reads an init image, refusing one too large to decode in the Java heap from its header, before decoding it (a
     * 20000×20000 PNG took the heap's last byte).
     *
     * @throws EngineException one line naming the file, its size and the limit
     */
    public static BufferedImage readImage(Path file) {
        Dimension size = Png.size(file);
        int width = size.width;
        int height = size.height;
        if (width > 2 * MAX_SIDE || height > 2 * MAX_SIDE) {
            throw new EngineException(file + ": a " + width + "x" + height + " image is larger than " + 2 * MAX_SIDE
                    + " pixels a side, more than an init image needs (at most " + MAX_SIDE + " is drawn); scale it"
                    + " down first");
        }
        long need = (long) width * height * HEAP_BYTES_PER_PIXEL;
        long heap = availableHeap();
        if (need > heap) {
            throw new EngineException(file + ": a " + width + "x" + height + " image needs about " + gb(need)
                    + " of Java heap to read, more than the " + gb(heap) + " available; scale it down first");
        }
        return Png.read(file);
    }

    private static EngineException tooLarge(
            GenerationSettings s, long need, long available, String what, String alternative) {
        String request =
                s.batchSize() + (s.batchSize() == 1 ? " image of " : " images of ") + s.width() + "x" + s.height();
        return new EngineException(request + (s.batchSize() == 1 ? " needs" : " need") + " about " + gb(need) + " of "
                + what + ", more than the "
                + gb(available) + " available"
                + (alternative.isEmpty() ? "; ask for a smaller size or fewer images at once" : alternative));
    }

    /** Heap the JVM can still grow into. */
    static long availableHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Memory the system can give without swapping: {@link MemoryBudget#available()} (MemAvailable, the cgroup's
     * allowance, {@code -Deasel.memory.available}) on Linux, else the free physical memory; 0 unknown.
     */
    static long availableMemory() {
        long available = MemoryBudget.available();
        if (available >= 0) {
            return available;
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return 0;
    }

    private static String gb(long bytes) {
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MB", Math.max(1, bytes >> 20));
    }
}
