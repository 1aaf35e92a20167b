package dev.easel.engine.pipeline;

import java.awt.image.BufferedImage;

/**
 * Lanczos (a = 3) resampling of 8-bit images exactly as PIL's {@code Image.resize(size, Image.LANCZOS)} computes it,
 * which is how diffusers' {@code VaeImageProcessor} resizes images and masks and what A1111's "Lanczos" upscaler is:
 * separable, the kernel widened by the scale when shrinking, weights normalised per output sample and rounded to
 * 22-bit fixed point, the horizontal pass first and rounded to 8 bits before the vertical one; a side whose size does
 * not change is not resampled at all.
 */
final class Lanczos {

    private static final int A = 3;
    /** PIL's {@code PRECISION_BITS} for 8-bit images. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Lanczos() {}

    /** An RGB image at {@code width}×{@code height}, each channel resampled on its own (alpha is dropped). */
    static BufferedImage resize(BufferedImage src, int width, int height) {
        int sw = src.getWidth();
        int sh = src.getHeight();
        int[][] rgb = new int[3][sw * sh];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int p = src.getRGB(x, y);
                rgb[0][y * sw + x] = (p >> 16) & 0xff;
                rgb[1][y * sw + x] = (p >> 8) & 0xff;
                rgb[2][y * sw + x] = p & 0xff;
            }
        }
        int[][] out = new int[3][];
        for (int c = 0; c < 3; c++) {
            out[c] = resize(rgb[c], sw, sh, width, height);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                img.setRGB(x, y, (out[0][i] << 16) | (out[1][i] << 8) | out[2][i]);
            }
        }
        return img;
    }

    /** One channel of 8-bit values [h·w] (row-major) at {@code width}×{@code height}, as PIL resizes an "L" image. */
    static int[] resize(int[] channel, int w, int h, int width, int height) {
        int[] horizontal = width == w ? channel : pass(channel, w, h, width, true);
        return height == h ? horizontal.clone() : pass(horizontal, width, h, height, false);
    }

    /** Resamples along x ({@code alongX}) or y from {@code n} to {@code m} samples; the other side stays. */
    private static int[] pass(int[] in, int w, int h, int m, boolean alongX) {
        int n = alongX ? w : h;
        int lines = alongX ? h : w;
        double scale = (double) n / m;
        double filterScale = Math.max(1, scale);
        double support = A * filterScale;
        int[] out = alongX ? new int[m * h] : new int[w * m];
        for (int o = 0; o < m; o++) {
            double center = (o + 0.5) * scale;
            // PIL's bounds: the samples whose centres lie within the support, rounded to the nearest sample
            int from = Math.max(0, (int) (center - support + 0.5));
            int to = Math.min(n, (int) (center + support + 0.5));
            int[] weights = weights(from, to, center, filterScale);
            for (int line = 0; line < lines; line++) {
                long acc = 1L << (PRECISION_BITS - 1);
                for (int i = from; i < to; i++) {
                    acc += (long) weights[i - from] * (alongX ? in[line * w + i] : in[i * w + line]);
                }
                int v = clip8(acc);
                if (alongX) {
                    out[line * m + o] = v;
                } else {
                    out[o * w + line] = v;
                }
            }
        }
        return out;
    }

    /** The normalised weights of samples {@code from}…{@code to - 1} for one output, in PIL's fixed point. */
    private static int[] weights(int from, int to, double center, double filterScale) {
        double reciprocal = 1.0 / filterScale;
        double[] k = new double[to - from];
        double total = 0;
        for (int i = from; i < to; i++) {
            k[i - from] = kernel((i - center + 0.5) * reciprocal);
            total += k[i - from];
        }
        int[] fixed = new int[k.length];
        for (int i = 0; i < k.length; i++) {
            double v = (total == 0 ? k[i] : k[i] / total) * (1 << PRECISION_BITS);
            fixed[i] = (int) (v < 0 ? v - 0.5 : v + 0.5);
        }
        return fixed;
    }

    /** PIL's truncated sinc, sinc(x)·sinc(x/3) on [-3, 3). */
    private static double kernel(double x) {
        return -A <= x && x < A ? sinc(x) * sinc(x / A) : 0;
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = x * Math.PI;
        return Math.sin(px) / px;
    }

    /** The integer part of a fixed-point sum, within 0–255. */
    private static int clip8(long fixed) {
        return (int) Math.max(0, Math.min(255, fixed >> PRECISION_BITS));
    }
}
