package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.nn.TorchOps;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.SchedulerConfig;

/**
 * The denoising objective of Stable Diffusion training, as diffusers' training scripts compute it: noise latents with
 * the DDPM schedule ({@code add_noise}), predict the noise (or v), and take the mean squared error — optionally
 * weighted by min-SNR-γ (Hang et al. 2023) and with offset noise.
 */
public final class DenoisingLoss {

    private final float[] alphasCumprod;
    private final boolean vPrediction;

    public DenoisingLoss(SchedulerConfig schedule) {
        this.alphasCumprod = schedule.alphasCumprod();
        this.vPrediction = schedule.vPrediction();
        if (schedule.predictionType() == PredictionType.SAMPLE) {
            throw new EngineException("training supports prediction_type epsilon and v_prediction, not sample");
        }
    }

    public int numTrainTimesteps() {
        return alphasCumprod.length;
    }

    /** Uniform timesteps in [0, T) as {@code torch.randint} draws them. */
    public NDArray sampleTimesteps(NDManager scope, long batch) {
        return scope.randomInteger(0, alphasCumprod.length, new Shape(batch), DataType.INT64);
    }

    /** Standard normal noise like {@code latents}, plus {@code offset}·N(0,1) per sample and channel if offset > 0. */
    public NDArray sampleNoise(NDManager scope, NDArray latents, double offset) {
        NDArray noise = scope.randomNormal(latents.getShape(), latents.getDataType());
        if (offset > 0) {
            Shape shape = latents.getShape();
            noise = noise.add(scope.randomNormal(new Shape(shape.get(0), shape.get(1), 1, 1), latents.getDataType())
                    .mul(offset));
        }
        return noise;
    }

    /** √ᾱ_t·x₀ + √(1−ᾱ_t)·ε. */
    public NDArray addNoise(NDManager scope, NDArray latents, NDArray noise, long[] timesteps) {
        return latents.mul(column(scope, timesteps, true, latents))
                .add(noise.mul(column(scope, timesteps, false, latents)));
    }

    /** What the UNet should predict: ε, or v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ for v-prediction models. */
    public NDArray target(NDManager scope, NDArray latents, NDArray noise, long[] timesteps) {
        if (!vPrediction) {
            return noise;
        }
        return noise.mul(column(scope, timesteps, true, latents))
                .sub(latents.mul(column(scope, timesteps, false, latents)));
    }

    /**
     * Mean squared error (in float32) of {@code prediction} against {@code target}; with {@code snrGamma} > 0 each
     * sample's error is weighted by min(SNR, γ)/SNR (÷(SNR+1) for v-prediction), as diffusers' {@code --snr_gamma}.
     */
    public NDArray loss(NDManager scope, NDArray prediction, NDArray target, long[] timesteps, double snrGamma) {
        // In float32 whatever the model computed in, as diffusers' F.mse_loss(model_pred.float(), target.float())
        NDArray squared = TorchOps.cast(scope, prediction, DataType.FLOAT32)
                .sub(TorchOps.cast(scope, target, DataType.FLOAT32))
                .square();
        if (snrGamma <= 0) {
            return squared.mean();
        }
        float[] weights = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            double a = alphasCumprod[(int) timesteps[i]];
            double snr = a / (1 - a);
            weights[i] = (float) (Math.min(snr, snrGamma) / (vPrediction ? snr + 1 : snr));
        }
        // One axis at a time: DJL's PyTorch engine refuses a mean over several axes at once.
        NDArray perSample = squared.reshape(timesteps.length, -1).mean(new int[] {1});
        return perSample
                .mul(scope.create(weights)
                        .toType(perSample.getDataType(), false)
                        .toDevice(perSample.getDevice(), false))
                .mean();
    }

    /** √ᾱ_t (or √(1−ᾱ_t)) per sample, shaped [B,1,1,1] to broadcast over latents. */
    private NDArray column(NDManager scope, long[] timesteps, boolean signal, NDArray like) {
        float[] values = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            double a = alphasCumprod[(int) timesteps[i]];
            values[i] = (float) Math.sqrt(signal ? a : 1 - a);
        }
        return scope.create(values, new Shape(timesteps.length, 1, 1, 1))
                .toType(like.getDataType(), false)
                .toDevice(like.getDevice(), false);
    }
}
