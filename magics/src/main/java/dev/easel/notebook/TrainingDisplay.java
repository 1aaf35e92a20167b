package dev.easel.notebook;

import dev.easel.display.Display;
import dev.easel.display.DisplayHandle;
import dev.easel.display.MimeBundle;
import dev.easel.display.renderers.ImageRenderer;
import dev.easel.engine.train.LossChart;
import dev.easel.engine.train.TrainingLog;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The live view of a training run: one output area, updated in place, with a progress bar (step/total, it/s, ETA),
 * the loss chart (raw and smoothed loss, learning rate on a second axis) and the latest validation images. Redrawn at
 * most every {@link #MIN_REDRAW_NANOS} (a chart takes a few hundred milliseconds to draw) and always at the end.
 */
public final class TrainingDisplay {

    static final long MIN_REDRAW_NANOS = 2_000_000_000L;
    private static final int CHART_WIDTH = 560;
    private static final int CHART_HEIGHT = 300;

    private final String title;
    private final DisplayHandle handle;
    private Progress progress;
    private List<TrainingLog.Row> rows = List.of();
    private List<BufferedImage> validation = List.of();
    private long validationStep = -1;
    private String status = "";
    private long lastRedraw;

    public TrainingDisplay(String title) {
        this.title = title;
        this.handle = Display.display(MimeBundle.text(title + ": starting…"));
    }

    public synchronized void start(long startStep, long totalSteps) {
        progress = Progress.detached(title, totalSteps, "step", System::nanoTime);
        progress.set(startStep);
        redraw(true);
    }

    /** A line above the bar, e.g. while class images are generated. */
    public synchronized void status(String text) {
        status = text;
        redraw(false);
    }

    public synchronized void step(TrainingLog.Row row, TrainingLog log) {
        rows = new ArrayList<>(log.rows());
        if (progress != null) {
            progress.set(row.step());
            progress.metric("loss", String.format("%.4f", row.loss()));
        }
        redraw(false);
    }

    public synchronized void validation(long step, List<BufferedImage> images) {
        validation = List.copyOf(images);
        validationStep = step;
        redraw(false);
    }

    /** The run ended with an error, which the cell shows: the view says so rather than "starting…" or a live bar. */
    public synchronized void failed() {
        finish(title + " stopped by the error below");
    }

    /** The final view, with {@code message} (e.g. "done" or "interrupted at step 40"). */
    public synchronized void finish(String message) {
        status = message;
        redraw(true);
    }

    private void redraw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastRedraw < MIN_REDRAW_NANOS) {
            return;
        }
        lastRedraw = now;
        handle.update(bundle());
    }

    MimeBundle bundle() {
        StringBuilder html = new StringBuilder("<div class=\"easel-training\">");
        StringBuilder text = new StringBuilder();
        if (!status.isEmpty()) {
            html.append("<div>").append(escape(status)).append("</div>");
            text.append(status).append('\n');
        }
        if (progress != null) {
            MimeBundle bar = progress.bundle();
            html.append(bar.data().get(MimeBundle.HTML));
            text.append(bar.plainText());
        }
        if (!rows.isEmpty()) {
            BufferedImage chart = LossChart.render(rows, title + " loss", CHART_WIDTH, CHART_HEIGHT);
            html.append("<div><img src=\"data:image/png;base64,")
                    .append(png(chart))
                    .append("\" alt=\"loss chart\"/></div>");
        }
        if (!validation.isEmpty()) {
            html.append("<div>validation images, step ").append(validationStep).append(" (fixed seed)</div><div>");
            for (BufferedImage image : validation) {
                html.append("<img style=\"margin-right:4px;image-rendering:pixelated\" width=\"")
                        .append(Math.max(128, image.getWidth()))
                        .append("\" src=\"data:image/png;base64,")
                        .append(png(image))
                        .append("\"/>");
            }
            html.append("</div>");
            text.append("\nvalidation images at step ").append(validationStep);
        }
        html.append("</div>");
        return MimeBundle.of(MimeBundle.HTML, html.toString(), text.toString());
    }

    private static String png(BufferedImage image) {
        return Base64.getEncoder().encodeToString(ImageRenderer.png(image));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
