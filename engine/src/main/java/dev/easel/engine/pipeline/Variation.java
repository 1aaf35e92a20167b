package dev.easel.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * A1111's variation seeds: the initial noise is a spherical interpolation between the seed's noise and the
 * subseed's, so a small strength gives a close variation of the seed's image and 1 gives the subseed's image.
 */
final class Variation {

    /** Above this mean cosine the two noises are treated as parallel and mixed linearly (A1111's threshold). */
    private static final double PARALLEL = 0.9995;

    private Variation() {}

    /**
     * A1111's {@code slerp(strength, noise, subnoise)} for each image of a batch [B, C, H, W]: norms and dot products
     * along dim 1 of the image's [C, H, W] (its rows, as A1111 computes them). Returns {@code noise} itself when
     * {@code subnoise} is null or the strength 0.
     */
    static NDArray slerp(double strength, NDArray noise, NDArray subnoise) {
        if (subnoise == null || strength == 0) {
            return noise;
        }
        NDList images = new NDList();
        for (long b = 0; b < noise.getShape().get(0); b++) {
            images.add(
                    slerpImage((float) strength, noise.get(b), subnoise.get(b)).expandDims(0));
        }
        return images.size() == 1 ? images.get(0) : NDArrays.concat(images, 0);
    }

    private static NDArray slerpImage(float val, NDArray low, NDArray high) {
        NDArray lowNorm = low.div(low.norm(new int[] {1}, true));
        NDArray highNorm = high.div(high.norm(new int[] {1}, true));
        NDArray dot = lowNorm.mul(highNorm).sum(new int[] {1});
        if (dot.mean().getFloat() > PARALLEL) {
            // A1111 weighs the parallel case this way round (val on the seed's noise); kept for the same images
            return low.mul(val).add(high.mul(1 - val));
        }
        NDArray omega = dot.acos();
        NDArray so = omega.sin();
        NDArray a = omega.mul(1f - val).sin().div(so).expandDims(1);
        NDArray b = omega.mul(val).sin().div(so).expandDims(1);
        return a.mul(low).add(b.mul(high));
    }
}
