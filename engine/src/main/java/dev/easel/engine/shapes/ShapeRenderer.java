package dev.easel.engine.shapes;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/** Draws a {@link ShapeScene} with anti-aliasing: a flat background and one filled shape, colors slightly jittered. */
public final class ShapeRenderer {

    /** How far each channel may stray from the palette color, so the model learns colors, not exact values. */
    private static final int COLOR_JITTER = 12;

    private ShapeRenderer() {}

    public static BufferedImage render(ShapeScene scene, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            Random jitter = new Random(scene.colorJitterSeed());
            g.setColor(jittered(scene.combination().background().color(), jitter));
            g.fillRect(0, 0, size, size);
            g.setColor(jittered(scene.combination().color().color(), jitter));
            g.fill(outline(scene, size));
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The shape's outline in pixel coordinates. */
    static Shape outline(ShapeScene scene, int size) {
        double cx = scene.centerX() * size;
        double cy = scene.centerY() * size;
        double r = scene.radius() * size;
        Shape base = switch (scene.combination().shape()) {
            case CIRCLE -> new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            // A square of the same visual weight as the circle: half-side 0.85 r.
            case SQUARE -> new Rectangle2D.Double(cx - 0.85 * r, cy - 0.85 * r, 1.7 * r, 1.7 * r);
            case TRIANGLE -> triangle(cx, cy, r * 1.15);
        };
        return AffineTransform.getRotateInstance(scene.rotation(), cx, cy).createTransformedShape(base);
    }

    /** An equilateral triangle pointing up, inscribed in a circle of radius {@code r}. */
    private static Shape triangle(double cx, double cy, double r) {
        Path2D.Double path = new Path2D.Double();
        for (int corner = 0; corner < 3; corner++) {
            double angle = -Math.PI / 2 + corner * 2 * Math.PI / 3;
            double x = cx + r * Math.cos(angle);
            double y = cy + r * Math.sin(angle) + r * 0.25; // lower it so its area is centred
            if (corner == 0) {
                path.moveTo(x, y);
            } else {
                path.lineTo(x, y);
            }
        }
        path.closePath();
        return path;
    }

    private static Color jittered(Color color, Random random) {
        return new Color(
                clamp(color.getRed() + random.nextInt(2 * COLOR_JITTER + 1) - COLOR_JITTER),
                clamp(color.getGreen() + random.nextInt(2 * COLOR_JITTER + 1) - COLOR_JITTER),
                clamp(color.getBlue() + random.nextInt(2 * COLOR_JITTER + 1) - COLOR_JITTER));
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }
}
