package dev.easel.engine.shapes;

import java.awt.Color;

/**
 * The eight colors of the shapes world, used for both shapes and backgrounds. The RGB values are the rendered
 * centres; rendering jitters them a little and the analyzer maps a measured color back to the nearest one.
 */
public enum PaletteColor {
    RED(215, 35, 35),
    GREEN(40, 165, 55),
    BLUE(35, 70, 215),
    YELLOW(245, 225, 40),
    PURPLE(135, 45, 170),
    ORANGE(240, 120, 20),
    WHITE(240, 240, 240),
    BLACK(20, 20, 20);

    private final int red;
    private final int green;
    private final int blue;

    PaletteColor(int red, int green, int blue) {
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    /** The caption word, e.g. {@code red}. */
    public String word() {
        return name().toLowerCase();
    }

    public Color color() {
        return new Color(red, green, blue);
    }

    /** The palette color nearest to an sRGB value, by squared distance. */
    public static PaletteColor nearest(double r, double g, double b) {
        PaletteColor best = null;
        double bestDistance = Double.MAX_VALUE;
        for (PaletteColor candidate : values()) {
            double dr = r - candidate.red;
            double dg = g - candidate.green;
            double db = b - candidate.blue;
            double distance = dr * dr + dg * dg + db * db;
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best;
    }

    public static PaletteColor fromWord(String word) {
        return valueOf(word.toUpperCase());
    }
}
