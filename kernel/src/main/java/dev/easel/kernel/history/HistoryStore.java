package dev.easel.kernel.history;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.kernel.base.Log;
import dev.easel.kernel.protocol.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Executed cells, kept across kernel restarts in a JSON-lines file ({@code <jupyter data dir>/easel/history.jsonl}).
 * Each kernel start claims a new session, numbered after the last one in the file (one line, under a lock, so two
 * kernels never share one); each cell is appended with one write to a file opened for appending, so a crash loses at
 * most the line being written, and a torn line is skipped on reading.
 */
public final class HistoryStore {

    /** One executed cell. */
    public record Entry(int session, int line, String source) {}

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();
    private final int session;

    /**
     * Opens the history in {@code file} and claims the next session number. The claim is a line written under a lock
     * on {@code file.lock}, so kernels started at the same moment get different sessions; the folder is made
     * owner-only (0700) and the file 0600, since cells may hold secrets.
     */
    public HistoryStore(Path file) {
        this.file = file;
        int claimed = 0;
        try {
            Path folder = file.toAbsolutePath().getParent();
            createPrivateFolder(folder);
            Path lockFile = folder.resolve(file.getFileName() + ".lock");
            // A file lock keeps other processes out; a JVM holds it for all its threads, which the monitor orders.
            synchronized (HistoryStore.class) {
                try (FileChannel lockChannel =
                        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    lockChannel.lock(); // released when the channel closes
                    makePrivate(lockFile);
                    if (Files.exists(file)) {
                        makePrivate(file); // one an older Easel wrote readable by everyone
                    }
                    claimed = read() + 1;
                    Map<String, Object> claim = new LinkedHashMap<>();
                    claim.put("session", claimed);
                    claim.put("started", Instant.now().toString());
                    write(claim);
                }
            }
        } catch (IOException e) {
            Log.warn("could not open history " + file + ": " + e.getMessage() + "; this session's cells are kept"
                    + " in memory only");
            claimed = entries.stream().mapToInt(Entry::session).max().orElse(0) + 1;
        }
        this.session = claimed;
    }

    /** Reads the entries in the file; the highest session number claimed in it. */
    private int read() throws IOException {
        int lastSession = 0;
        if (!Files.exists(file)) {
            return 0;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                JsonNode node = Json.MAPPER.readTree(line);
                lastSession = Math.max(lastSession, node.get("session").asInt());
                if (node.has("source")) { // not a session's claim
                    entries.add(new Entry(
                            node.get("session").asInt(),
                            node.get("line").asInt(),
                            node.get("source").asText()));
                }
            } catch (IOException | RuntimeException torn) {
                // a line cut short by a crash: skip it
            }
        }
        return lastSession;
    }

    private static void createPrivateFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            try {
                Files.createDirectories(
                        folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(folder);
            }
        }
        setPermissions(folder, "rwx------");
    }

    private static void makePrivate(Path file) {
        setPermissions(file, "rw-------");
    }

    /** Tightens (never loosens) what a history written by an older Easel left readable by others. */
    private static void setPermissions(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException | IOException notPosixOrNotOurs) {
            // a file system without POSIX permissions, or a file another user owns: leave it as it is
        }
    }

    /** {@code $JUPYTER_DATA_DIR/easel/history.jsonl}, else {@code $XDG_DATA_HOME/jupyter/…}, else {@code ~/.local/share/jupyter/…}. */
    public static Path defaultFile() {
        String dataDir = System.getenv("JUPYTER_DATA_DIR");
        Path base;
        if (dataDir != null && !dataDir.isBlank()) {
            base = Path.of(dataDir);
        } else {
            String xdg = System.getenv("XDG_DATA_HOME");
            base = xdg != null && !xdg.isBlank()
                    ? Path.of(xdg, "jupyter")
                    : Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
        }
        return base.resolve("easel").resolve("history.jsonl");
    }

    public int session() {
        return session;
    }

    public synchronized void append(int line, String source) {
        entries.add(new Entry(session, line, source));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("session", session);
        json.put("line", line);
        json.put("source", source);
        try {
            write(json);
        } catch (IOException e) {
            Log.warn("could not append to history " + file + ": " + e.getMessage());
        }
    }

    /**
     * Appends one JSON line with one write to a file opened for appending (atomic among appenders); after a line a
     * crash left without its end, on a line of its own.
     */
    private void write(Map<String, Object> json) throws IOException {
        boolean created = !Files.exists(file);
        String text = Json.MAPPER.writeValueAsString(json) + "\n";
        if (!created && !endsWithNewline()) {
            text = "\n" + text;
        }
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            if (created) {
                makePrivate(file);
            }
            ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    private boolean endsWithNewline() throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer last = ByteBuffer.allocate(1);
            return size == 0 || channel.read(last, size - 1) < 1 || last.get(0) == '\n';
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
