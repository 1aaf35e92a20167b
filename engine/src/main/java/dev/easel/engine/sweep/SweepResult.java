package dev.easel.engine.sweep;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import tech.tablesaw.api.Table;

/**
 * What a sweep made: the labelled grid (saved as {@code grid.png} beside the images), one table row per image, and
 * whether it was interrupted (then the grid holds what was made so far).
 */
public record SweepResult(
        BufferedImage grid, Table table, Path folder, Path gridFile, int made, int failed, boolean interrupted) {

    /** One line for logs and notebooks. */
    public String summary() {
        return (interrupted ? "interrupted: " : "") + made + " images" + (failed > 0 ? ", " + failed + " failed" : "")
                + ", grid " + grid.getWidth() + "×" + grid.getHeight() + " in " + folder;
    }

    public Table table() {
        return table;
    }
}
