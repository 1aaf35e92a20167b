package dev.easel.engine.train;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The loss curve of a training run drawn with XChart: raw loss (faint), smoothed loss (bold) and the learning rate
 * on a second Y axis. Smoothing is the debiased exponential average TensorBoard uses, so early points aren't pulled
 * towards zero.
 */
public final class LossChart {

    private LossChart() {}

    public static BufferedImage render(List<TrainingLog.Row> rows, String title, int width, int height) {
        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle("step")
                .yAxisTitle("loss")
                .build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.setYAxisGroupTitle(1, "learning rate");
        if (rows.isEmpty()) {
            chart.addSeries("loss", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
            return BitmapEncoder.getBufferedImage(chart);
        }
        double[] steps = rows.stream().mapToDouble(TrainingLog.Row::step).toArray();
        double[] loss = rows.stream().mapToDouble(TrainingLog.Row::loss).toArray();
        double[] lr = rows.stream().mapToDouble(TrainingLog.Row::learningRate).toArray();
        XYSeries raw = chart.addSeries("loss", steps, loss);
        raw.setMarker(SeriesMarkers.NONE);
        raw.setLineColor(new Color(31, 119, 180, 90));
        XYSeries smooth = chart.addSeries("smoothed", steps, smoothed(loss, 0.9));
        smooth.setMarker(SeriesMarkers.NONE);
        smooth.setLineColor(new Color(31, 119, 180));
        XYSeries rate = chart.addSeries("learning rate", steps, lr);
        rate.setMarker(SeriesMarkers.NONE);
        rate.setLineColor(new Color(255, 127, 14));
        rate.setYAxisGroup(1);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Debiased exponential smoothing with the given weight (0 = none). */
    static double[] smoothed(double[] values, double weight) {
        double[] out = new double[values.length];
        double last = 0;
        for (int i = 0; i < values.length; i++) {
            last = last * weight + (1 - weight) * values[i];
            out[i] = last / (1 - Math.pow(weight, i + 1));
        }
        return out;
    }
}
