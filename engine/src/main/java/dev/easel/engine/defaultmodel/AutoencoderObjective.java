package dev.easel.engine.defaultmodel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.nn.ScalarOps;
import dev.easel.engine.shapes.ShapesDataset;
import dev.easel.engine.train.ImageBatch;
import dev.easel.engine.train.TrainingObjective;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 1 of the default model: the autoencoder learns to reconstruct dataset images through its latent Gaussian —
 * mean squared reconstruction error plus a small KL term that keeps the latents near N(0, 1), as an LDM's KL
 * autoencoder is trained (without the perceptual and adversarial terms, which flat shapes don't need).
 */
final class AutoencoderObjective implements TrainingObjective {

    private final AutoencoderKL vae;
    private final ShapesDataset dataset;
    private final int batch;
    private final int microBatches;
    private final double klWeight;
    private final Map<String, Object> identity;

    AutoencoderObjective(
            AutoencoderKL vae,
            ShapesDataset dataset,
            int batch,
            int microBatches,
            double klWeight,
            Map<String, Object> identity) {
        this.vae = vae;
        this.dataset = dataset;
        this.batch = batch;
        this.microBatches = microBatches;
        this.klWeight = klWeight;
        this.identity = identity;
    }

    @Override
    public Map<String, NDArray> trainableParameters() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        vae.parameters().forEach((name, p) -> named.put("vae." + name, p));
        return named;
    }

    @Override
    public NDArray loss(NDManager scope, long step, int micro) {
        List<BufferedImage> images = new ArrayList<>(batch);
        long first = (step * microBatches + micro) * batch;
        for (int i = 0; i < batch; i++) {
            images.add(dataset.image(dataset.scene(first + i)));
        }
        NDArray pixels = ImageBatch.of(scope, images);
        AutoencoderKL.LatentDistribution latent = vae.encode(scope, pixels);
        NDArray z = latent.sample(scope.randomNormal(latent.mean().getShape()));
        NDArray reconstruction = vae.decode(scope, z);
        NDArray mse = reconstruction.sub(pixels).square().mean();
        NDArray kl = ScalarOps.mul(
                latent.mean()
                        .square()
                        .add(latent.logvar().exp())
                        .sub(1)
                        .sub(latent.logvar())
                        .mean(),
                0.5);
        return mse.add(ScalarOps.mul(kl, klWeight));
    }

    @Override
    public Map<String, Object> identity() {
        return identity;
    }
}
