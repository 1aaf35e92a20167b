package dev.easel.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageStatisticsTest {

    @Test
    void flatGreyHasNoContrastColourOrEdges() {
        ImageStatistics s = ImageStatistics.of(filled(new Color(100, 100, 100)));
        assertEquals(100, s.brightness(), 1e-9);
        assertEquals(0, s.contrast(), 1e-9);
        assertEquals(0, s.colorfulness(), 1e-9);
        assertEquals(0, s.sharpness(), 1e-9);
    }

    @Test
    void checkerboardIsSharpAndContrastyAndRedIsColourful() {
        BufferedImage board = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                board.setRGB(x, y, (x + y) % 2 == 0 ? 0xffffff : 0);
            }
        }
        ImageStatistics s = ImageStatistics.of(board);
        assertEquals(127.5, s.contrast(), 1e-6);
        assertTrue(s.sharpness() > 10_000, "every pixel is an edge: " + s.sharpness());
        ImageStatistics red = ImageStatistics.of(filled(Color.RED));
        assertEquals(255, red.meanRed(), 1e-9);
        assertEquals(0, red.meanBlue(), 1e-9);
        assertTrue(red.colorfulness() > 80, "pure red is colourful: " + red.colorfulness());
    }

    private static BufferedImage filled(Color color) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        return image;
    }
}
