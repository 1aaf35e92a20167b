package dev.easel.engine.pipeline;

import java.awt.image.BufferedImage;

/**
 * Lanczos (a = 3) resampling of an RGB image, separable, with the kernel widened by the scale when shrinking (as
 * PIL's {@code Image.LANCZOS}, which A1111's "Lanczos" upscaler uses).
 */
final class Lanczos {

    private static final int A = 3;

    private Lanczos() {
    }

    static BufferedImage resize(BufferedImage src, int width, int height) {
        int sw = src.getWidth();
        int sh = src.getHeight();
        float[][] rgb = new float[3][sw * sh];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int p = src.getRGB(x, y);
                rgb[0][y * sw + x] = (p >> 16) & 0xff;
                rgb[1][y * sw + x] = (p >> 8) & 0xff;
                rgb[2][y * sw + x] = p & 0xff;
            }
        }
        float[][] out = new float[3][];
        for (int c = 0; c < 3; c++) {
            float[] horizontal = pass(rgb[c], sw, sh, width, true);
            out[c] = pass(horizontal, width, sh, height, false);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                img.setRGB(x, y, (clamp(out[0][i]) << 16) | (clamp(out[1][i]) << 8) | clamp(out[2][i]));
            }
        }
        return img;
    }

    /** Resamples along x ({@code alongX}) or y from {@code n} to {@code m} samples; the other side stays. */
    private static float[] pass(float[] in, int w, int h, int m, boolean alongX) {
        int n = alongX ? w : h;
        int lines = alongX ? h : w;
        double scale = (double) n / m;
        double support = A * Math.max(1, scale);
        double filterScale = Math.max(1, scale);
        float[] out = alongX ? new float[m * h] : new float[w * m];
        for (int o = 0; o < m; o++) {
            double center = (o + 0.5) * scale;
            int from = Math.max(0, (int) Math.floor(center - support));
            int to = Math.min(n, (int) Math.ceil(center + support));
            double[] weights = new double[to - from];
            double total = 0;
            for (int i = from; i < to; i++) {
                double wgt = kernel((i + 0.5 - center) / filterScale);
                weights[i - from] = wgt;
                total += wgt;
            }
            for (int line = 0; line < lines; line++) {
                double acc = 0;
                for (int i = from; i < to; i++) {
                    acc += weights[i - from] * (alongX ? in[line * w + i] : in[i * w + line]);
                }
                float v = (float) (total == 0 ? 0 : acc / total);
                if (alongX) {
                    out[line * m + o] = v;
                } else {
                    out[o * w + line] = v;
                }
            }
        }
        return out;
    }

    private static double kernel(double x) {
        if (x == 0) {
            return 1;
        }
        if (Math.abs(x) >= A) {
            return 0;
        }
        double px = Math.PI * x;
        return A * Math.sin(px) * Math.sin(px / A) / (px * px);
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
