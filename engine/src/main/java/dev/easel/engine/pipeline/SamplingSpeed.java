package dev.easel.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.models.UNetFlops;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How fast one model's denoising steps run in this process, for an estimate of work before it starts (a sweep of
 * thousands of images states its time before it asks for {@code --yes}). The work of a step is the UNet's FLOP count
 * at that size ({@link UNetFlops}); the rate is what this model reached in the steps it ran in this process, or —
 * before it has generated — this machine's float32 rate on a convolution of the UNet's first width, measured once per
 * device and width. That rate leaves out normalisation, attention's softmax and the sampler, so the second estimate
 * is on the short side.
 */
public final class SamplingSpeed {

    /** The text conditioning of one prompt chunk: CLIP's 77 tokens. */
    static final int PROMPT_TOKENS = 77;

    private static final Map<String, Double> FLOAT32_RATES = new ConcurrentHashMap<>();

    private final UNet2DConditionModel.Config unet;
    private final int vaeScaleFactor;
    private final Device device;
    private long recordedFlops;
    private long recordedNanos;

    public SamplingSpeed(UNet2DConditionModel.Config unet, int vaeScaleFactor, Device device) {
        this.unet = unet;
        this.vaeScaleFactor = vaeScaleFactor;
        this.device = device;
    }

    /** A rate in FLOP/s, and whether it was measured on this model's own steps. */
    public record Rate(double flopsPerSecond, boolean measured) {}

    /** FLOPs of one denoising step for {@code images} images of {@code width}×{@code height} (twice when guided). */
    public long stepFlops(int width, int height, int images, boolean guided) {
        return UNetFlops.perStep(
                unet, (long) images * (guided ? 2 : 1), height / vaeScaleFactor, width / vaeScaleFactor, PROMPT_TOKENS);
    }

    /**
     * Records one step the model ran (the pipeline does, after each step but a generation's first): its UNet input
     * {@code [batch, channels, height, width]} and its duration.
     */
    public synchronized void record(Shape unetInput, long nanos) {
        recordedFlops += UNetFlops.perStep(unet, unetInput.get(0), unetInput.get(2), unetInput.get(3), PROMPT_TOKENS);
        recordedNanos += nanos;
    }

    /** The rate to estimate with: this model's own when it has run steps, else this machine's float32 rate. */
    public Rate rate() {
        synchronized (this) {
            if (recordedNanos > 0) {
                return new Rate(recordedFlops * 1e9 / recordedNanos, true);
            }
        }
        long channels = unet.blockOutChannels()[0];
        return new Rate(
                FLOAT32_RATES.computeIfAbsent(device + "/" + channels, key -> measureFloat32Rate(device, channels)),
                false);
    }

    /**
     * Float32 FLOP/s of a 3×3 convolution of {@code channels} channels, as the UNet's first level runs (a small
     * model's rate is lower: more of its time is per-operation overhead): one run to warm up, then the median of five
     * (on a busy machine the best would be a moment nobody else ran). Sized for at most 2 GFLOP on a CPU (SD's 320
     * channels) and 60 on a GPU, a fraction of a second either way.
     */
    private static double measureFloat32Rate(Device device, long channels) {
        long batch = device.isGpu() ? 8 : 1;
        long side = device.isGpu() ? 64 : 32;
        double flops = 2.0 * batch * side * side * channels * channels * 9;
        long[] nanos = new long[5];
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray x = manager.randomNormal(new Shape(batch, channels, side, side), DataType.FLOAT32);
            NDArray weight = manager.randomNormal(new Shape(channels, channels, 3, 3), DataType.FLOAT32);
            NDArray bias = manager.zeros(new Shape(channels), DataType.FLOAT32);
            for (int run = 0; run <= nanos.length; run++) {
                long start = System.nanoTime();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(
                                    x, weight, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                            .singletonOrThrow();
                    y.attach(scope);
                    y.sum().getFloat(); // waits for a GPU to finish
                }
                if (run > 0) {
                    nanos[run - 1] = System.nanoTime() - start;
                }
            }
        }
        Arrays.sort(nanos);
        return flops * 1e9 / Math.max(1, nanos[nanos.length / 2]);
    }
}
