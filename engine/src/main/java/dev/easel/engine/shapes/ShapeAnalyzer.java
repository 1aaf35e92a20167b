package dev.easel.engine.shapes;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Reads back what a shapes image shows, deterministically: the background color from the image border, the
 * foreground as the largest connected region that differs from it, its color from the region's median, and its
 * shape from how much of its tightest (rotated) bounding rectangle the region fills — about 1 for a square,
 * π/4 ≈ 0.79 for a circle and ½ for a triangle, whatever the rotation.
 */
public final class ShapeAnalyzer {

    /** A pixel belongs to the foreground when its color is this far (Euclidean, 0–255 scale) from the background:
     * above two jittered samples of one color (≤ 42), below the closest two palette colors (yellow–orange, 107). */
    private static final double FOREGROUND_DISTANCE = 55;
    /** Regions smaller than this fraction of the image are noise, not a shape. */
    private static final double MIN_AREA_FRACTION = 0.01;

    private static final double SQUARE_MIN_FILL = 0.865;
    private static final double CIRCLE_MIN_FILL = 0.655;

    /** What the analyzer saw; {@code shape} is null when no foreground region was found. */
    public record Reading(PaletteColor color, ShapeKind shape, PaletteColor background, double fill, int area) {

        public boolean matches(Combination expected) {
            return color == expected.color() && shape == expected.shape() && background == expected.background();
        }
    }

    private ShapeAnalyzer() {}

    public static Reading analyze(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
        double[] background = borderMedian(rgb, width, height);
        boolean[] differs = new boolean[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            differs[i] = distance(rgb[i], background) > FOREGROUND_DISTANCE;
        }
        int[] region = largestRegion(differs, width, height);
        PaletteColor backgroundColor = PaletteColor.nearest(background[0], background[1], background[2]);
        if (region.length < MIN_AREA_FRACTION * width * height) {
            return new Reading(null, null, backgroundColor, 0, region.length);
        }
        double[] foreground = median(rgb, region);
        double fill = minRectangleFill(region, width);
        ShapeKind shape = fill >= SQUARE_MIN_FILL
                ? ShapeKind.SQUARE
                : fill >= CIRCLE_MIN_FILL ? ShapeKind.CIRCLE : ShapeKind.TRIANGLE;
        return new Reading(
                PaletteColor.nearest(foreground[0], foreground[1], foreground[2]),
                shape,
                backgroundColor,
                fill,
                region.length);
    }

    private static double[] borderMedian(int[] rgb, int width, int height) {
        int[] border = new int[2 * width + 2 * (height - 2)];
        int n = 0;
        for (int x = 0; x < width; x++) {
            border[n++] = x;
            border[n++] = (height - 1) * width + x;
        }
        for (int y = 1; y < height - 1; y++) {
            border[n++] = y * width;
            border[n++] = y * width + width - 1;
        }
        return median(rgb, border);
    }

    /** Per-channel median of the pixels at {@code indices}. */
    private static double[] median(int[] rgb, int[] indices) {
        double[] result = new double[3];
        int[] channel = new int[indices.length];
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            for (int i = 0; i < indices.length; i++) {
                channel[i] = (rgb[indices[i]] >> shift) & 0xff;
            }
            Arrays.sort(channel);
            result[c] = channel[channel.length / 2];
        }
        return result;
    }

    private static double distance(int pixel, double[] color) {
        double dr = ((pixel >> 16) & 0xff) - color[0];
        double dg = ((pixel >> 8) & 0xff) - color[1];
        double db = (pixel & 0xff) - color[2];
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** Pixel indices of the largest 4-connected region of {@code mask}. */
    private static int[] largestRegion(boolean[] mask, int width, int height) {
        boolean[] seen = new boolean[mask.length];
        int[] best = new int[0];
        int[] buffer = new int[mask.length];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || seen[start]) {
                continue;
            }
            int size = 0;
            seen[start] = true;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                buffer[size++] = p;
                int x = p % width;
                int y = p / width;
                if (x > 0) visit(p - 1, mask, seen, queue);
                if (x < width - 1) visit(p + 1, mask, seen, queue);
                if (y > 0) visit(p - width, mask, seen, queue);
                if (y < height - 1) visit(p + width, mask, seen, queue);
            }
            if (size > best.length) {
                best = Arrays.copyOf(buffer, size);
            }
        }
        return best;
    }

    private static void visit(int p, boolean[] mask, boolean[] seen, ArrayDeque<Integer> queue) {
        if (mask[p] && !seen[p]) {
            seen[p] = true;
            queue.add(p);
        }
    }

    /** Region area over the area of its smallest enclosing rectangle at any rotation (searched in 1° steps). */
    private static double minRectangleFill(int[] region, int width) {
        double smallest = Double.MAX_VALUE;
        for (int degrees = 0; degrees < 90; degrees++) {
            double angle = Math.toRadians(degrees);
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            double minU = Double.MAX_VALUE, maxU = -Double.MAX_VALUE, minV = Double.MAX_VALUE, maxV = -Double.MAX_VALUE;
            for (int p : region) {
                double x = p % width;
                double y = p / width;
                double u = x * cos + y * sin;
                double v = -x * sin + y * cos;
                minU = Math.min(minU, u);
                maxU = Math.max(maxU, u);
                minV = Math.min(minV, v);
                maxV = Math.max(maxV, v);
            }
            // +1: pixels are unit squares, not points.
            smallest = Math.min(smallest, (maxU - minU + 1) * (maxV - minV + 1));
        }
        return region.length / smallest;
    }
}
