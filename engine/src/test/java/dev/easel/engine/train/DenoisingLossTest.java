package dev.easel.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.samplers.SchedulerConfig;
import org.junit.jupiter.api.Test;

class DenoisingLossTest {

    private final SchedulerConfig schedule = SchedulerConfig.sd1();
    private final DenoisingLoss loss = new DenoisingLoss(schedule);

    @Test
    void minSnrWeighsEachSamplesErrorOverLatentShapedTensors() {
        long[] timesteps = {10, 900};
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 4, 3, 3);
            NDArray prediction = m.zeros(shape);
            // Sample 0 is off by 1 everywhere, sample 1 by 2: squared errors 1 and 4.
            NDArray target = m.ones(new Shape(1, 4, 3, 3)).concat(m.full(new Shape(1, 4, 3, 3), 2f), 0);
            double expected = (weight(timesteps[0]) * 1 + weight(timesteps[1]) * 4) / 2;
            assertEquals(
                    expected, loss.loss(m, prediction, target, timesteps, 5.0).getFloat(), 1e-5);
            assertEquals(2.5, loss.loss(m, prediction, target, timesteps, 0).getFloat(), 1e-6, "plain MSE");
        }
    }

    @Test
    void offsetNoiseShiftsWholeChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray latents = m.zeros(new Shape(64, 4, 8, 8), DataType.FLOAT32);
            // Per-(sample, channel) means of plain noise have std 1/8; offset 1 adds a N(0,1) shift to each.
            double plain = channelMeanStd(loss.sampleNoise(m, latents, 0));
            double offset = channelMeanStd(loss.sampleNoise(m, latents, 1.0));
            assertTrue(plain < 0.2, "plain " + plain);
            assertTrue(offset > 0.7, "offset " + offset);
        }
    }

    private double weight(long t) {
        double a = schedule.alphasCumprod()[(int) t];
        double snr = a / (1 - a);
        return Math.min(snr, 5.0) / snr;
    }

    private static double channelMeanStd(NDArray noise) {
        float[] means = noise.reshape(64 * 4, -1).mean(new int[] {1}).toFloatArray();
        double sum = 0;
        double squares = 0;
        for (float v : means) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / means.length;
        return Math.sqrt(squares / means.length - mean * mean);
    }
}
