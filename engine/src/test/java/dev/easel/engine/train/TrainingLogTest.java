package dev.easel.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLogTest {

    @TempDir
    Path run;

    @Test
    void resumedLogKeepsOnlyStepsUpToTheCheckpoint() throws Exception {
        try (TrainingLog log = TrainingLog.open(run, "loss", 0)) {
            for (int step = 1; step <= 5; step++) {
                log.append(new TrainingLog.Row(step, 1.0 / step, 1e-4, 0.5, 0.1 * step));
            }
        }
        try (TrainingLog resumed = TrainingLog.open(run, "loss", 3)) {
            assertEquals(3, resumed.rows().size());
            resumed.append(new TrainingLog.Row(4, 0.2, 1e-4, 0.4, 0.4));
            assertEquals(4, resumed.table("loss").rowCount());
            assertEquals("0.333333", resumed.table("loss").getString(2, "loss"), "shown to 6 significant digits");
            assertEquals(1.0 / 3, resumed.table("loss").doubleColumn("loss").get(2), "kept exactly");
        }
        List<String> csv = Files.readAllLines(run.resolve("loss.csv"));
        assertEquals("step,loss,learning_rate,grad_norm,seconds", csv.get(0));
        assertEquals(
                List.of("1", "2", "3", "4"),
                csv.subList(1, 5).stream().map(l -> l.split(",")[0]).toList());
        List<String> jsonl = Files.readAllLines(run.resolve("loss.jsonl"));
        assertEquals(4, jsonl.size());
        assertEquals(
                "{\"step\":4,\"loss\":0.2,\"learning_rate\":1.0E-4,\"grad_norm\":0.4,\"seconds\":0.4}", jsonl.get(3));
    }

    @Test
    void smoothingIsDebiasedAndChartRenders() {
        assertArrayEquals(new double[] {2, 2, 2}, LossChart.smoothed(new double[] {2, 2, 2}, 0.9), 1e-12);
        double[] s = LossChart.smoothed(new double[] {1, 0}, 0.5);
        assertEquals(1.0, s[0], 1e-12);
        assertEquals(1.0 / 3.0, s[1], 1e-12);
        List<TrainingLog.Row> rows =
                List.of(new TrainingLog.Row(1, 1, 1e-4, 1, 1), new TrainingLog.Row(2, 0.5, 2e-4, 1, 2));
        BufferedImage chart = LossChart.render(rows, "loss", 480, 300);
        assertEquals(480, chart.getWidth());
        assertTrue(LossChart.render(List.of(), "empty", 200, 150).getHeight() == 150);
    }
}
