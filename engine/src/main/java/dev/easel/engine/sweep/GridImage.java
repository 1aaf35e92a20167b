package dev.easel.engine.sweep;

import dev.easel.engine.BadValueException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws a sweep's images as the X/Y/Z grid people know from the web UIs: X labels on top, Y labels on the left, one
 * sub-grid per Z value side by side under its title, an optional legend line at the bottom. Fonts scale with the tile
 * size so labels stay readable from 64 px tiles to 1024 px ones. A tile that failed is drawn as a marked blank.
 */
public final class GridImage {

    /** Layout choices; {@code maxMegapixels} guards against a grid too large to build (the web UI uses 200). */
    public record Options(int margin, boolean legend, double maxMegapixels) {

        public static final Options DEFAULT = new Options(0, false, 200);

        public Options {
            if (margin < 0 || maxMegapixels <= 0) {
                throw new IllegalArgumentException("grid margin must be ≥ 0 and the megapixel limit > 0");
            }
        }
    }

    /**
     * What to draw. {@code tiles[z][y][x]} is an image, or null for a cell that failed; {@code legend} may be null.
     */
    public record Content(
            List<String> xLabels,
            List<String> yLabels,
            List<String> zTitles,
            BufferedImage[][][] tiles,
            int tileWidth,
            int tileHeight,
            String legend) {}

    private static final Color BACKGROUND = Color.WHITE;
    private static final Color TEXT = new Color(20, 20, 20);
    private static final Color FAILED = new Color(225, 225, 225);
    private static final Color FAILED_MARK = new Color(200, 40, 40);

    /** Tiles smaller than this are shown enlarged (whole-number factor, nearest neighbour) so labels fit. */
    private static final int MIN_TILE = 96;

    private final Content content;
    private final Options options;
    private final int tileWidth;
    private final int tileHeight;
    private final Font font;
    private final Font titleFont;
    private final FontMetrics metrics;
    private final FontMetrics titleMetrics;
    private final int gap;
    private final int labelColumn;
    private final int labelRow;
    private final int titleRow;
    private final int legendRow;

    private GridImage(Content content, Options options) {
        this.content = content;
        this.options = options;
        int scale =
                Math.max(1, (int) Math.ceil((double) MIN_TILE / Math.min(content.tileWidth(), content.tileHeight())));
        this.tileWidth = content.tileWidth() * scale;
        this.tileHeight = content.tileHeight() * scale;
        int tile = Math.min(tileWidth, tileHeight);
        int fontSize = Math.max(11, Math.min(48, tile / 9));
        this.font = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
        this.titleFont = new Font(Font.SANS_SERIF, Font.BOLD, Math.round(fontSize * 1.25f));
        Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        this.metrics = scratch.getFontMetrics(font);
        this.titleMetrics = scratch.getFontMetrics(titleFont);
        scratch.dispose();
        this.gap = Math.max(options.margin(), content.zTitles().size() > 1 ? tileWidth / 4 : 0);
        boolean hasY = content.yLabels().size() > 1 || !content.yLabels().get(0).isEmpty();
        this.labelColumn = hasY ? Math.max(tileWidth, metrics.charWidth('m') * 10) : 0;
        this.labelRow = lines(content.xLabels(), tileWidth, metrics) * metrics.getHeight() + fontSize / 2;
        boolean hasZ = content.zTitles().size() > 1 || !content.zTitles().get(0).isEmpty();
        this.titleRow = hasZ ? titleMetrics.getHeight() * 3 / 2 : 0;
        this.legendRow = options.legend() && content.legend() != null
                ? wrap(content.legend(), width() - 2 * fontSize, metrics).size() * metrics.getHeight() + fontSize
                : 0;
    }

    /**
     * Width × height in pixels of the grid for these counts and tile size, checked against the megapixel guard before
     * any image is made.
     *
     * @throws BadValueException one line with the size, the limit and what to change
     */
    public static void checkSize(Content shape, Options options) {
        GridImage layout = new GridImage(shape, options);
        double megapixels = (double) layout.width() * layout.height() / 1e6;
        if (megapixels > options.maxMegapixels()) {
            throw new BadValueException(String.format(
                    "the grid would be %d×%d = %.1f MP, over the %.0f MP limit; use fewer axis values or smaller images",
                    layout.width(), layout.height(), megapixels, options.maxMegapixels()));
        }
    }

    public static BufferedImage render(Content content, Options options) {
        checkSize(content, options);
        return new GridImage(content, options).draw();
    }

    private int subGridWidth() {
        int xs = content.xLabels().size();
        return labelColumn + xs * tileWidth + (xs - 1) * options.margin();
    }

    private int width() {
        int zs = content.zTitles().size();
        return zs * subGridWidth() + (zs - 1) * gap;
    }

    private int height() {
        int ys = content.yLabels().size();
        return titleRow + labelRow + ys * tileHeight + (ys - 1) * options.margin() + legendRow;
    }

    private BufferedImage draw() {
        BufferedImage grid = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int z = 0; z < content.zTitles().size(); z++) {
                drawSubGrid(g, z, z * (subGridWidth() + gap));
            }
            if (legendRow > 0) {
                g.setFont(font);
                g.setColor(TEXT);
                drawCentered(
                        g,
                        wrap(content.legend(), width() - 2 * font.getSize(), metrics),
                        0,
                        height() - legendRow + font.getSize() / 2,
                        width(),
                        metrics);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }

    private void drawSubGrid(Graphics2D g, int z, int left) {
        int tileW = tileWidth;
        int tileH = tileHeight;
        int top = titleRow + labelRow;
        g.setColor(TEXT);
        if (titleRow > 0) {
            g.setFont(titleFont);
            drawCentered(g, List.of(content.zTitles().get(z)), left, titleRow / 6, subGridWidth(), titleMetrics);
        }
        g.setFont(font);
        for (int x = 0; x < content.xLabels().size(); x++) {
            int cellLeft = left + labelColumn + x * (tileW + options.margin());
            List<String> lines = wrap(content.xLabels().get(x), tileW, metrics);
            drawCentered(
                    g,
                    lines,
                    cellLeft,
                    top - labelRow + (labelRow - lines.size() * metrics.getHeight()) / 2,
                    tileW,
                    metrics);
        }
        for (int y = 0; y < content.yLabels().size(); y++) {
            int cellTop = top + y * (tileH + options.margin());
            if (labelColumn > 0) {
                List<String> lines = wrap(content.yLabels().get(y), labelColumn - font.getSize(), metrics);
                drawCentered(
                        g,
                        lines,
                        left,
                        cellTop + (tileH - lines.size() * metrics.getHeight()) / 2,
                        labelColumn,
                        metrics);
            }
            for (int x = 0; x < content.xLabels().size(); x++) {
                int cellLeft = left + labelColumn + x * (tileW + options.margin());
                BufferedImage tile = content.tiles()[z][y][x];
                if (tile != null) {
                    g.drawImage(tile, cellLeft, cellTop, tileW, tileH, null);
                } else {
                    drawFailed(g, cellLeft, cellTop, tileW, tileH);
                }
            }
        }
    }

    private void drawFailed(Graphics2D g, int left, int top, int w, int h) {
        g.setColor(FAILED);
        g.fillRect(left, top, w, h);
        g.setColor(FAILED_MARK);
        g.setStroke(new BasicStroke(Math.max(2, w / 40f)));
        int inset = w / 5;
        g.drawLine(left + inset, top + inset, left + w - inset, top + h - inset);
        g.drawLine(left + w - inset, top + inset, left + inset, top + h - inset);
        g.setColor(TEXT);
        drawCentered(g, List.of("failed"), left, top + h - metrics.getHeight() - 2, w, metrics);
    }

    private static void drawCentered(Graphics2D g, List<String> lines, int left, int top, int width, FontMetrics fm) {
        int y = top + fm.getAscent();
        for (String line : lines) {
            g.drawString(line, left + (width - fm.stringWidth(line)) / 2, y);
            y += fm.getHeight();
        }
    }

    private static int lines(List<String> labels, int width, FontMetrics fm) {
        return labels.stream()
                .mapToInt(label -> wrap(label, width, fm).size())
                .max()
                .orElse(1);
    }

    /** Splits {@code text} into lines no wider than {@code width}, at spaces where possible. */
    static List<String> wrap(String text, int width, FontMetrics fm) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= width || line.isEmpty() && fm.stringWidth(word) <= width) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (!line.isEmpty()) {
                lines.add(line.toString());
                line.setLength(0);
            }
            // A word wider than the line is cut into pieces that fit.
            String rest = word;
            while (fm.stringWidth(rest) > width && rest.length() > 1) {
                int cut = rest.length() - 1;
                while (cut > 1 && fm.stringWidth(rest.substring(0, cut)) > width) {
                    cut--;
                }
                lines.add(rest.substring(0, cut));
                rest = rest.substring(cut);
            }
            line.append(rest);
        }
        if (!line.isEmpty() || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
