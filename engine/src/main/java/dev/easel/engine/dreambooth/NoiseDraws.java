package dev.easel.engine.dreambooth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.train.DenoisingLoss;

/**
 * The random numbers of one training step, in diffusers' order: the latent sample's ε, the diffusion noise, the
 * timesteps. Real runs draw them ({@link #random}); the parity test replays diffusers' recorded ones.
 */
public interface NoiseDraws {

    NDArray latentEps(NDManager scope, Shape shape);

    NDArray noise(NDManager scope, NDArray latents);

    long[] timesteps(NDManager scope, int batch);

    /** Draws from libtorch's generator (the training loop seeds it per step), with optional offset noise. */
    static NoiseDraws random(DenoisingLoss denoising, double offsetNoise) {
        return new NoiseDraws() {
            @Override
            public NDArray latentEps(NDManager scope, Shape shape) {
                return scope.randomNormal(shape);
            }

            @Override
            public NDArray noise(NDManager scope, NDArray latents) {
                return denoising.sampleNoise(scope, latents, offsetNoise);
            }

            @Override
            public long[] timesteps(NDManager scope, int batch) {
                return denoising.sampleTimesteps(scope, batch).toLongArray();
            }
        };
    }
}
