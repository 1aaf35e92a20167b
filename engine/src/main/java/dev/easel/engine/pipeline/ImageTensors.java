package dev.easel.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;

/**
 * Images ↔ the VAE's pixel tensors, as diffusers' {@code VaeImageProcessor}: RGB in [0, 255] ↔ [1, 3, H, W] in
 * [-1, 1].
 */
public final class ImageTensors {

    private ImageTensors() {}

    /**
     * A mask image → [1, 1, H, W] of 0 and 1, as diffusers' mask processor: resized (Lanczos, as PIL) when its size
     * differs from the image's, then grey as PIL's {@code convert("L")} (ITU-R 601-2 luma) — diffusers resizes
     * before it converts — scaled to [0, 1] and binarised at 0.5 (1 = repaint).
     */
    public static NDArray toMask(NDManager scope, BufferedImage mask, int width, int height) {
        BufferedImage src = resized(mask, width, height);
        float[] data = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                data[y * width + x] = luma(src.getRGB(x, y)) / 255f >= 0.5f ? 1f : 0f;
            }
        }
        return scope.create(data, new Shape(1, 1, height, width));
    }

    /** Grey of an RGB pixel as PIL's {@code convert("L")}: ITU-R 601-2 luma, rounded, 0–255. */
    public static int luma(int rgb) {
        return (((rgb >> 16) & 0xff) * 19595 + ((rgb >> 8) & 0xff) * 38470 + (rgb & 0xff) * 7471 + 0x8000) >> 16;
    }

    /**
     * The image at the given size as RGB — resampled with Lanczos exactly as PIL, which diffusers'
     * {@code VaeImageProcessor} and A1111 resize with — or the image itself when it already is.
     */
    public static BufferedImage resized(BufferedImage img, int width, int height) {
        if (img.getWidth() == width && img.getHeight() == height && img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        return Lanczos.resize(img, width, height);
    }

    /** Image → [1, 3, H, W] in [-1, 1], resized (Lanczos) to the requested size when it differs. */
    public static NDArray toTensor(NDManager scope, BufferedImage img, int width, int height) {
        BufferedImage src = resized(img, width, height);
        float[] data = new float[3 * width * height];
        int plane = width * height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = src.getRGB(x, y);
                int i = y * width + x;
                data[i] = ((rgb >> 16) & 0xff) / 255f * 2f - 1f;
                data[plane + i] = ((rgb >> 8) & 0xff) / 255f * 2f - 1f;
                data[2 * plane + i] = (rgb & 0xff) / 255f * 2f - 1f;
            }
        }
        return scope.create(data, new Shape(1, 3, height, width));
    }

    /** Decoder output [1, 3, H, W] → RGB image: clamp(x/2 + 0.5, 0, 1), round(·255). */
    public static BufferedImage toImage(NDArray raw) {
        long h = raw.getShape().get(2);
        long w = raw.getShape().get(3);
        float[] v = raw.toFloatArray();
        BufferedImage img = new BufferedImage((int) w, (int) h, BufferedImage.TYPE_INT_RGB);
        int plane = (int) (w * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (int) (y * w + x);
                int r = toByte(v[i]);
                int g = toByte(v[plane + i]);
                int b = toByte(v[2 * plane + i]);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int toByte(float raw) {
        float x = raw / 2f + 0.5f;
        x = Math.max(0f, Math.min(1f, x));
        return (int) Math.rint(x * 255f);
    }
}
