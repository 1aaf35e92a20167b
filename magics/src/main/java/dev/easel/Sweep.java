package dev.easel;

import dev.easel.engine.sweep.SweepResult;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import tech.tablesaw.api.Table;

/**
 * What an X/Y/Z sweep made: the labelled grid, a Tablesaw table with one row per image (axis values, settings,
 * seconds, file, image statistics, error), and where everything was saved. Shown in a notebook as the grid and the
 * table; {@code sweep.table()} is ready for filtering and plotting.
 */
public final class Sweep {

    private final SweepResult result;

    Sweep(SweepResult result) {
        this.result = result;
    }

    public BufferedImage grid() {
        return result.grid();
    }

    public Table table() {
        return result.table();
    }

    /** The folder holding every image and {@code grid.png}. */
    public Path folder() {
        return result.folder();
    }

    public Path gridFile() {
        return result.gridFile();
    }

    public int made() {
        return result.made();
    }

    public int failed() {
        return result.failed();
    }

    public boolean interrupted() {
        return result.interrupted();
    }

    @Override
    public String toString() {
        return "Sweep[" + result.summary() + "]";
    }
}
