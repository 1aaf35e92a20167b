package dev.easel.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.tables.SignificantDigits;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * The scalars of a training run, one row per optimizer step (step, loss, learning rate, gradient norm, seconds),
 * kept in memory for charts and tables and appended to {@code NAME.csv} and {@code NAME.jsonl} in the run folder as
 * they come. Opening the log of a resumed run keeps only the rows up to the resumed step, so the files read as if
 * the run had never stopped.
 */
public final class TrainingLog implements AutoCloseable {

    /** One optimizer step's scalars. */
    public record Row(long step, double loss, double learningRate, double gradNorm, double seconds) {
    }

    private static final String HEADER = "step,loss,learning_rate,grad_norm,seconds";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Row> rows = new ArrayList<>();
    private final BufferedWriter csv;
    private final BufferedWriter jsonl;

    private TrainingLog(Path folder, String name, List<Row> kept) throws IOException {
        Files.createDirectories(folder);
        rows.addAll(kept);
        Path csvFile = folder.resolve(name + ".csv");
        Path jsonlFile = folder.resolve(name + ".jsonl");
        List<String> csvLines = new ArrayList<>(List.of(HEADER));
        List<String> jsonLines = new ArrayList<>();
        for (Row row : kept) {
            csvLines.add(csvLine(row));
            jsonLines.add(jsonLine(row));
        }
        Files.write(csvFile, csvLines, StandardCharsets.UTF_8);
        Files.write(jsonlFile, jsonLines, StandardCharsets.UTF_8);
        csv = Files.newBufferedWriter(csvFile, StandardOpenOption.APPEND);
        jsonl = Files.newBufferedWriter(jsonlFile, StandardOpenOption.APPEND);
    }

    /** A new log, or a resumed one holding the rows of steps ≤ {@code resumedStep} read back from the CSV. */
    public static TrainingLog open(Path folder, String name, long resumedStep) {
        try {
            List<Row> kept = new ArrayList<>();
            Path csvFile = folder.resolve(name + ".csv");
            if (resumedStep > 0 && Files.isRegularFile(csvFile)) {
                for (String line : Files.readAllLines(csvFile, StandardCharsets.UTF_8)) {
                    if (line.isBlank() || line.equals(HEADER)) {
                        continue;
                    }
                    String[] f = line.split(",");
                    Row row = new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                            Double.parseDouble(f[3]), Double.parseDouble(f[4]));
                    if (row.step() <= resumedStep) {
                        kept.add(row);
                    }
                }
            }
            return new TrainingLog(folder, name, kept);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("could not open the training log " + name + ".csv in "
                    + folder + ": " + e.getMessage(), e));
        }
    }

    public void append(Row row) {
        rows.add(row);
        try {
            csv.write(csvLine(row));
            csv.newLine();
            csv.flush();
            jsonl.write(jsonLine(row));
            jsonl.newLine();
            jsonl.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to the training log: " + e.getMessage(), e);
        }
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** The log as a Tablesaw table: step, loss, learning_rate, grad_norm, seconds (shown to 6 significant digits). */
    public Table table(String title) {
        return SignificantDigits.apply(Table.create(title,
                LongColumn.create("step", rows.stream().mapToLong(Row::step).toArray()),
                DoubleColumn.create("loss", rows.stream().mapToDouble(Row::loss).toArray()),
                DoubleColumn.create("learning_rate", rows.stream().mapToDouble(Row::learningRate).toArray()),
                DoubleColumn.create("grad_norm", rows.stream().mapToDouble(Row::gradNorm).toArray()),
                DoubleColumn.create("seconds", rows.stream().mapToDouble(Row::seconds).toArray())));
    }

    private static String csvLine(Row row) {
        return row.step() + "," + row.loss() + "," + row.learningRate() + "," + row.gradNorm() + "," + row.seconds();
    }

    private static String jsonLine(Row row) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("step", row.step());
        map.put("loss", row.loss());
        map.put("learning_rate", row.learningRate());
        map.put("grad_norm", row.gradNorm());
        map.put("seconds", row.seconds());
        try {
            return JSON.writeValueAsString(map);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            csv.close();
            jsonl.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the training log: " + e.getMessage(), e);
        }
    }
}
