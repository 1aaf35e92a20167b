package dev.easel.notebook;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Lays images out in a grid, each with a caption under it — how a batch is shown inline. */
public final class ImageGrid {

    private static final int GAP = 6;
    private static final int FONT_SIZE = 12;

    private ImageGrid() {}

    /** Columns for {@code n} images: a roughly square grid, at most 4 wide. */
    public static int columns(int n) {
        return Math.max(1, Math.min(4, (int) Math.ceil(Math.sqrt(n))));
    }

    /**
     * The grid as one image. Captions (may be null, or shorter than the images) are drawn under each image, cut to its
     * width with an ellipsis.
     */
    public static BufferedImage compose(List<BufferedImage> images, List<String> captions) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to lay out");
        }
        int columns = columns(images.size());
        int rows = (images.size() + columns - 1) / columns;
        int cellWidth = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int cellHeight =
                images.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
        boolean withCaptions = captions != null && captions.stream().anyMatch(c -> c != null && !c.isEmpty());
        int captionHeight = withCaptions ? FONT_SIZE + 8 : 0;
        int width = columns * cellWidth + (columns + 1) * GAP;
        int height = rows * (cellHeight + captionHeight) + (rows + 1) * GAP;
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, FONT_SIZE));
            g.setColor(new Color(0x33, 0x33, 0x33));
            FontMetrics metrics = g.getFontMetrics();
            for (int i = 0; i < images.size(); i++) {
                int x = GAP + (i % columns) * (cellWidth + GAP);
                int y = GAP + (i / columns) * (cellHeight + captionHeight + GAP);
                BufferedImage image = images.get(i);
                g.drawImage(image, x + (cellWidth - image.getWidth()) / 2, y, null);
                if (withCaptions && i < captions.size() && captions.get(i) != null) {
                    String caption = fit(captions.get(i), metrics, cellWidth);
                    int textX = x + (cellWidth - metrics.stringWidth(caption)) / 2;
                    g.drawString(caption, textX, y + cellHeight + 4 + metrics.getAscent());
                }
            }
        } finally {
            g.dispose();
        }
        return grid;
    }

    private static String fit(String text, FontMetrics metrics, int width) {
        if (metrics.stringWidth(text) <= width) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (metrics.stringWidth(out + String.valueOf(c) + "…") > width) {
                break;
            }
            out.append(c);
        }
        return out + "…";
    }
}
