package dev.easel.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.io.AtomicFile;
import dev.easel.engine.tables.SignificantDigits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 *
 * <p>The checkpoint is the truth, the log follows it: each row is appended as one whole line, and a write that fails
 * part-way (a full disk) is cut back to the last whole line. A line left partial anyway (the process killed
 * mid-write, or a file system that kept part of a failed write) is dropped when the log is reopened, as are rows
 * past the resumed step.
 */
public final class TrainingLog implements AutoCloseable {

    /** One optimizer step's scalars. */
    public record Row(long step, double loss, double learningRate, double gradNorm, double seconds) {}

    private static final System.Logger LOG = System.getLogger(TrainingLog.class.getName());
    private static final String HEADER = "step,loss,learning_rate,grad_norm,seconds";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Row> rows = new ArrayList<>();
    private final FileChannel csv;
    private final FileChannel jsonl;

    private TrainingLog(Path folder, String name, List<Row> kept) throws IOException {
        Files.createDirectories(folder);
        rows.addAll(kept);
        Path csvFile = folder.resolve(name + ".csv");
        Path jsonlFile = folder.resolve(name + ".jsonl");
        StringBuilder csvText = new StringBuilder(HEADER).append('\n');
        StringBuilder jsonText = new StringBuilder();
        for (Row row : kept) {
            csvText.append(csvLine(row)).append('\n');
            jsonText.append(jsonLine(row)).append('\n');
        }
        AtomicFile.write(csvFile, csvText.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(jsonlFile, jsonText.toString().getBytes(StandardCharsets.UTF_8));
        csv = FileChannel.open(csvFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        jsonl = FileChannel.open(jsonlFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** A new log, or a resumed one holding the rows of steps ≤ {@code resumedStep} read back from the CSV. */
    public static TrainingLog open(Path folder, String name, long resumedStep) {
        try {
            Path csvFile = folder.resolve(name + ".csv");
            List<Row> kept = resumedStep > 0 && Files.isRegularFile(csvFile)
                    ? readRows(csvFile, resumedStep)
                    : new ArrayList<>();
            return new TrainingLog(folder, name, kept);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException(
                    "could not open the training log " + name + ".csv in " + folder + ": " + e.getMessage(), e));
        }
    }

    /** The whole rows of steps ≤ {@code upToStep}: a last line without its newline, or a malformed one, is dropped. */
    static List<Row> readRows(Path csvFile, long upToStep) throws IOException {
        String text = Files.readString(csvFile, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n') + 1;
        if (end < text.length()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0}: dropped a partial last line \"{1}\" (the write was cut short)",
                    csvFile,
                    text.substring(end));
        }
        List<Row> kept = new ArrayList<>();
        for (String line : text.substring(0, end).split("\n")) {
            if (line.isBlank() || line.equals(HEADER)) {
                continue;
            }
            Row row = parse(line);
            if (row == null) {
                LOG.log(System.Logger.Level.WARNING, "{0}: dropped a malformed line \"{1}\"", csvFile, line);
            } else if (row.step() <= upToStep) {
                kept.add(row);
            }
        }
        return kept;
    }

    private static Row parse(String line) {
        String[] f = line.split(",");
        if (f.length != 5) {
            return null;
        }
        try {
            return new Row(
                    Long.parseLong(f[0]),
                    Double.parseDouble(f[1]),
                    Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public void append(Row row) {
        try {
            appendLine(csv, csvLine(row));
            appendLine(jsonl, jsonLine(row));
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to the training log: " + e.getMessage(), e);
        }
        rows.add(row);
    }

    /** Appends one whole line or nothing: a failed write is truncated back to where the line began. */
    private static void appendLine(FileChannel file, String line) throws IOException {
        long before = file.size();
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
        } catch (IOException e) {
            try {
                file.truncate(before);
            } catch (IOException ignored) {
                // the reader drops a partial last line when the log is reopened
            }
            throw e;
        }
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** The log as a Tablesaw table: step, loss, learning_rate, grad_norm, seconds (shown to 6 significant digits). */
    public Table table(String title) {
        return SignificantDigits.apply(Table.create(
                title,
                LongColumn.create("step", rows.stream().mapToLong(Row::step).toArray()),
                DoubleColumn.create("loss", rows.stream().mapToDouble(Row::loss).toArray()),
                DoubleColumn.create(
                        "learning_rate",
                        rows.stream().mapToDouble(Row::learningRate).toArray()),
                DoubleColumn.create(
                        "grad_norm", rows.stream().mapToDouble(Row::gradNorm).toArray()),
                DoubleColumn.create(
                        "seconds", rows.stream().mapToDouble(Row::seconds).toArray())));
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
            try {
                csv.close();
            } finally {
                jsonl.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the training log: " + e.getMessage(), e);
        }
    }
}
