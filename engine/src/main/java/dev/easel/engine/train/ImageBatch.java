package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.pipeline.ImageTensors;
import java.awt.image.BufferedImage;
import java.util.List;

/** Images → one [B, 3, H, W] tensor in [-1, 1], as training scripts feed the VAE. */
public final class ImageBatch {

    private ImageBatch() {}

    public static NDArray of(NDManager scope, List<BufferedImage> images) {
        NDList rows = new NDList();
        for (BufferedImage image : images) {
            rows.add(ImageTensors.toTensor(scope, image, image.getWidth(), image.getHeight()));
        }
        return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
    }
}
