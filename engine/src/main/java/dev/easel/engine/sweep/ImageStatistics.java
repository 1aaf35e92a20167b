package dev.easel.engine.sweep;

import java.awt.image.BufferedImage;

/**
 * Simple numbers about an image for the sweep table, so a sweep can be filtered and plotted without looking at
 * every picture: mean brightness and contrast (luma mean and standard deviation, 0–255), the mean of each channel,
 * colourfulness (Hasler and Süsstrunk's metric) and sharpness (variance of the Laplacian of the luma).
 */
public record ImageStatistics(
        double brightness,
        double contrast,
        double meanRed,
        double meanGreen,
        double meanBlue,
        double colorfulness,
        double sharpness) {

    public static ImageStatistics of(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int n = width * height;
        int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
        double[] luma = new double[n];
        double sumR = 0, sumG = 0, sumB = 0, sumL = 0, sumL2 = 0;
        double sumRg = 0, sumRg2 = 0, sumYb = 0, sumYb2 = 0;
        for (int i = 0; i < n; i++) {
            int r = (rgb[i] >> 16) & 0xff;
            int g = (rgb[i] >> 8) & 0xff;
            int b = rgb[i] & 0xff;
            double l = 0.299 * r + 0.587 * g + 0.114 * b;
            luma[i] = l;
            sumR += r;
            sumG += g;
            sumB += b;
            sumL += l;
            sumL2 += l * l;
            double rg = r - g;
            double yb = 0.5 * (r + g) - b;
            sumRg += rg;
            sumRg2 += rg * rg;
            sumYb += yb;
            sumYb2 += yb * yb;
        }
        double meanL = sumL / n;
        double meanRg = sumRg / n;
        double meanYb = sumYb / n;
        double stdRg = Math.sqrt(Math.max(0, sumRg2 / n - meanRg * meanRg));
        double stdYb = Math.sqrt(Math.max(0, sumYb2 / n - meanYb * meanYb));
        double colorfulness = Math.hypot(stdRg, stdYb) + 0.3 * Math.hypot(meanRg, meanYb);
        return new ImageStatistics(
                meanL,
                Math.sqrt(Math.max(0, sumL2 / n - meanL * meanL)),
                sumR / n,
                sumG / n,
                sumB / n,
                colorfulness,
                laplacianVariance(luma, width, height));
    }

    private static double laplacianVariance(double[] luma, int width, int height) {
        if (width < 3 || height < 3) {
            return 0;
        }
        double sum = 0;
        double sumSquares = 0;
        int count = 0;
        for (int y = 1; y < height - 1; y++) {
            for (int x = 1; x < width - 1; x++) {
                int i = y * width + x;
                double laplacian = luma[i - 1] + luma[i + 1] + luma[i - width] + luma[i + width] - 4 * luma[i];
                sum += laplacian;
                sumSquares += laplacian * laplacian;
                count++;
            }
        }
        double mean = sum / count;
        return sumSquares / count - mean * mean;
    }
}
