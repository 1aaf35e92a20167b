package dev.easel.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.BadValueException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class GridImageTest {

    @Test
    void tilesLandWhereTheLabelsSayAndFailedTilesAreMarked() {
        int tile = 96; // at or above the size where tiles are shown 1:1
        BufferedImage[][][] tiles = new BufferedImage[2][2][3];
        for (int z = 0; z < 2; z++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    tiles[z][y][x] = solid(tile, color(z, y, x));
                }
            }
        }
        tiles[1][1][2] = null;
        GridImage.Content content = new GridImage.Content(
                List.of("Steps: 10", "Steps: 20", "Steps: 30"),
                List.of("CFG Scale: 3.0", "CFG Scale: 7.0"),
                List.of("euler", "ddim"),
                tiles,
                tile,
                tile,
                "seed 42");
        BufferedImage grid = GridImage.render(content, new GridImage.Options(2, true, 200));

        java.awt.Point first = origin(grid, color(0, 0, 0));
        java.awt.Point right = origin(grid, color(0, 0, 1));
        java.awt.Point below = origin(grid, color(0, 1, 0));
        java.awt.Point nextZ = origin(grid, color(1, 0, 0));
        assertTrue(first.x > 0 && first.y > 0, "room for the Y labels and the X labels: " + first);
        assertEquals(new java.awt.Point(first.x + tile + 2, first.y), right, "next X value one tile + margin right");
        assertEquals(new java.awt.Point(first.x, first.y + tile + 2), below, "next Y value one tile + margin down");
        assertEquals(first.y, nextZ.y, "Z sub-grids side by side");
        assertTrue(nextZ.x > right.x + tile, "second Z sub-grid right of the first");
        int failedX = nextZ.x + 2 * (tile + 2);
        int failedY = nextZ.y + tile + 2;
        assertEquals(new Color(225, 225, 225).getRGB(), grid.getRGB(failedX + 1, failedY + 1), "failed cell is blank");
        Color centre = new Color(grid.getRGB(failedX + tile / 2, failedY + tile / 2));
        assertTrue(centre.getRed() > 150 && centre.getGreen() < 100, "and marked with a red cross: " + centre);
        assertTrue(grid.getHeight() > first.y + 2 * tile + 2, "legend row below the tiles");
    }

    private static Color color(int z, int y, int x) {
        return new Color(40 * x + 10, 100 * y + 20, 120 * z + 30);
    }

    /** Top-left corner of the first region of exactly {@code color}, scanning rows top to bottom. */
    private static java.awt.Point origin(BufferedImage image, Color color) {
        int target = color.getRGB();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (image.getRGB(x, y) == target) {
                    return new java.awt.Point(x, y);
                }
            }
        }
        throw new AssertionError("no pixel of " + color);
    }

    @Test
    void sizeGuardFailsEarlyWithOneLine() {
        BufferedImage[][][] none = new BufferedImage[1][20][20];
        List<String> labels = java.util.Collections.nCopies(20, "x");
        GridImage.Content huge = new GridImage.Content(labels, labels, List.of(""), none, 1024, 1024, null);
        BadValueException e =
                assertThrows(BadValueException.class, () -> GridImage.checkSize(huge, GridImage.Options.DEFAULT));
        assertTrue(
                e.getMessage().contains("over the 200 MP limit; use fewer axis values or smaller images"),
                e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'));
    }

    @Test
    void longLabelsWrapToTheTileWidth() {
        var metrics = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)
                .createGraphics()
                .getFontMetrics(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        List<String> lines = GridImage.wrap("a very long label that cannot fit in one narrow tile", 64, metrics);
        assertTrue(lines.size() > 2, lines.toString());
        lines.forEach(line -> assertTrue(metrics.stringWidth(line) <= 64, line));
    }

    private static BufferedImage solid(int size, Color color) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        return image;
    }
}
