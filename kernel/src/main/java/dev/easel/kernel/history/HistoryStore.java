package dev.easel.kernel.history;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.kernel.Log;
import dev.easel.kernel.protocol.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Executed cells, kept across kernel restarts in a JSON-lines file ({@code <jupyter data dir>/easel/history.jsonl}).
 * Each kernel start is a new session numbered after the last one in the file; each cell is appended with one write
 * to a file opened for appending, so a crash loses at most the line being written, and a torn line is skipped on
 * reading.
 */
public final class HistoryStore {

    /** One executed cell. */
    public record Entry(int session, int line, String source) {
    }

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();
    private final int session;

    public HistoryStore(Path file) {
        this.file = file;
        int lastSession = 0;
        if (Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    try {
                        JsonNode node = Json.MAPPER.readTree(line);
                        Entry entry = new Entry(node.get("session").asInt(), node.get("line").asInt(),
                                node.get("source").asText());
                        entries.add(entry);
                        lastSession = Math.max(lastSession, entry.session());
                    } catch (IOException | RuntimeException torn) {
                        // a line cut short by a crash: skip it
                    }
                }
            } catch (IOException e) {
                Log.warn("could not read history from " + file + ": " + e.getMessage());
            }
        }
        this.session = lastSession + 1;
    }

    /** {@code $JUPYTER_DATA_DIR/easel/history.jsonl}, else {@code $XDG_DATA_HOME/jupyter/…}, else {@code ~/.local/share/jupyter/…}. */
    public static Path defaultFile() {
        String dataDir = System.getenv("JUPYTER_DATA_DIR");
        Path base;
        if (dataDir != null && !dataDir.isBlank()) {
            base = Path.of(dataDir);
        } else {
            String xdg = System.getenv("XDG_DATA_HOME");
            base = xdg != null && !xdg.isBlank() ? Path.of(xdg, "jupyter")
                    : Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
        }
        return base.resolve("easel").resolve("history.jsonl");
    }

    public int session() {
        return session;
    }

    public synchronized void append(int line, String source) {
        Entry entry = new Entry(session, line, source);
        entries.add(entry);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("session", session);
        json.put("line", line);
        json.put("source", source);
        try {
            Files.createDirectories(file.getParent());
            byte[] bytes = (Json.MAPPER.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            Log.warn("could not append to history " + file + ": " + e.getMessage());
        }
    }

    /** The last {@code n} cells, oldest first, across sessions. */
    public synchronized List<Entry> tail(int n) {
        return List.copyOf(entries.subList(Math.max(0, entries.size() - n), entries.size()));
    }

    /**
     * Cells {@code start <= line < stop} of {@code session}; a session of 0 or less counts back from the current one
     * (0 is the current session); a stop of 0 or less means "to the end".
     */
    public synchronized List<Entry> range(int session, int start, int stop) {
        int wanted = session <= 0 ? this.session + session : session;
        return entries.stream()
                .filter(e -> e.session() == wanted && e.line() >= start && (stop <= 0 || e.line() < stop))
                .toList();
    }

    /**
     * Cells whose source matches the glob {@code pattern} ({@code *}, {@code ?}), oldest first; the last {@code n}
     * when {@code n > 0}; with {@code unique}, each source once (its latest run).
     */
    public synchronized List<Entry> search(String pattern, int n, boolean unique) {
        Pattern regex = glob(pattern);
        List<Entry> found = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = entries.size() - 1; i >= 0 && (n <= 0 || found.size() < n); i--) {
            Entry entry = entries.get(i);
            if (regex.matcher(entry.source()).matches() && (!unique || seen.add(entry.source()))) {
                found.add(0, entry);
            }
        }
        return found;
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : (glob == null ? "*" : glob).toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
