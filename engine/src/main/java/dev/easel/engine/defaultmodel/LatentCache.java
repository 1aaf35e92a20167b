package dev.easel.engine.defaultmodel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.shapes.ShapesDataset;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.train.ImageBatch;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Stage 2's training examples: a pool of dataset images encoded once by the trained autoencoder, kept as latent
 * mean and log-variance with their captions. Sampling a latent per step (mean + σ·ε) is what diffusers does with
 * {@code latent_dist.sample()}; encoding once instead of every step saves a third of stage 2's time.
 */
final class LatentCache implements AutoCloseable {

    private static final int ENCODE_BATCH = 64;

    private final NDManager manager;
    private final NDArray means;
    private final NDArray logvars;
    private final List<String> captions;

    private LatentCache(NDManager manager, NDArray means, NDArray logvars, List<String> captions) {
        this.manager = manager;
        this.means = means;
        this.logvars = logvars;
        this.captions = captions;
    }

    /** Encodes examples {@code firstIndex … firstIndex + size − 1} of the dataset; reports images done. */
    static LatentCache encode(
            AutoencoderKL vae, ShapesDataset dataset, long firstIndex, int size, IntConsumer progress) {
        NDManager manager = NDManager.newBaseManager();
        List<String> captions = new ArrayList<>(size);
        NDList meanParts = new NDList();
        NDList logvarParts = new NDList();
        boolean gradMode = LibTorch.gradMode();
        LibTorch.setGradMode(false);
        try {
            for (int start = 0; start < size; start += ENCODE_BATCH) {
                int n = Math.min(ENCODE_BATCH, size - start);
                List<BufferedImage> images = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    var scene = dataset.scene(firstIndex + start + i);
                    captions.add(scene.caption());
                    images.add(dataset.image(scene));
                }
                try (NDManager scope = manager.newSubManager()) {
                    AutoencoderKL.LatentDistribution latent = vae.encode(scope, ImageBatch.of(scope, images));
                    NDArray mean = latent.mean().duplicate();
                    NDArray logvar = latent.logvar().duplicate();
                    mean.attach(manager);
                    logvar.attach(manager);
                    meanParts.add(mean);
                    logvarParts.add(logvar);
                }
                progress.accept(start + n);
            }
            NDArray means = NDArrays.concat(meanParts, 0);
            NDArray logvars = NDArrays.concat(logvarParts, 0);
            meanParts.close();
            logvarParts.close();
            return new LatentCache(manager, means, logvars, captions);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        } finally {
            LibTorch.setGradMode(gradMode);
        }
    }

    int size() {
        return captions.size();
    }

    String caption(int index) {
        return captions.get(index);
    }

    /** Latents of the given examples, sampled from their Gaussians with noise drawn now, unscaled. */
    NDArray sample(NDManager scope, int[] indices) {
        NDList rows = new NDList();
        for (int index : indices) {
            NDArray mean = means.get(new NDIndex("{}:{}", index, index + 1));
            NDArray logvar = logvars.get(new NDIndex("{}:{}", index, index + 1));
            mean.attach(scope);
            logvar.attach(scope);
            rows.add(new AutoencoderKL.LatentDistribution(mean, logvar).sample(scope.randomNormal(mean.getShape())));
        }
        return NDArrays.concat(rows, 0);
    }

    /** The standard deviation of sampled latents over the pool: its inverse is the VAE's scaling factor. */
    double latentStd() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray std = logvars.mul(0.5).exp();
            std.attach(scope);
            NDArray sample = means.add(std.mul(scope.randomNormal(means.getShape())));
            sample.attach(scope);
            NDArray centred = sample.sub(sample.mean());
            return Math.sqrt(centred.square().mean().getFloat());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
