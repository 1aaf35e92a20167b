package dev.easel.engine.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.io.AtomicFile;
import dev.easel.engine.io.Sha256;
import dev.easel.engine.io.UserCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * SHA-256s of files kept across processes, as A1111 keeps them in its {@code cache.json}: a 4 GB checkpoint is hashed
 * once, not by every command-line run and every new kernel. They live in {@value #FILE_NAME} in the user's cache
 * ({@link UserCache}), per kind of hash and absolute path, and count while the file still has the size and
 * modification time recorded with them; a changed file is hashed again. {@code -Deasel.hashcache=off} keeps them in
 * memory only (tests, CI, or a user who would rather not have paths written down).
 *
 * <p>The file is untrusted input: at most {@value #MAX_BYTES} bytes are read, and anything not of the expected shape
 * is ignored — one entry, or the whole file, which is then rebuilt. Writes are atomic ({@link AtomicFile}). Two
 * processes saving at once each rename a whole file into place: the last one wins, and an entry only the other one
 * had is simply hashed again the next time it is needed. A cache that cannot be written (a read-only or missing home)
 * costs one log line; the hashes are still computed and kept for the process.
 */
final class HashCache {

    static final String PROPERTY = "easel.hashcache";
    static final String FILE_NAME = "hashes.json";
    /** About 20,000 entries; a larger file is not read and gets replaced, which also drops entries of deleted files. */
    static final int MAX_BYTES = 4 << 20;

    private static final int VERSION = 1;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(HashCache.class.getName());

    /** Hashes a file's bytes after the first {@code skip}. */
    @FunctionalInterface
    interface Hasher {
        String sha256(Path file, long skip) throws IOException;
    }

    private record Key(String kind, String path) {}

    private record Entry(long size, long mtimeNanos, String sha256) {}

    private final Path store;
    private final Hasher hasher;
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private boolean loaded;
    private boolean unwritable;

    /** {@code store}: the JSON file, or null to keep the hashes in memory only. */
    HashCache(Path store, Hasher hasher) {
        this.store = store;
        this.hasher = hasher;
    }

    /** The user's cache, or a memory-only one under {@code -Deasel.hashcache=off}. */
    static HashCache forUser() {
        boolean off = "off".equals(System.getProperty(PROPERTY));
        return new HashCache(off ? null : UserCache.folder().resolve(FILE_NAME), Sha256::of);
    }

    /** The JSON file, or null when the hashes are kept in memory only. */
    Path store() {
        return store;
    }

    /** The SHA-256 of {@code file}'s bytes after the first {@code skip}, as hash {@code kind} of that file. */
    String sha256(Path file, String kind, long skip) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        // Size and time are read before hashing: a file changed while it is hashed has another time at the next look.
        long size = Files.size(absolute);
        long mtime = Files.getLastModifiedTime(absolute).to(TimeUnit.NANOSECONDS);
        Key key = new Key(kind, absolute.toString());
        loadOnce();
        Entry known = entries.get(key);
        if (known != null && known.size() == size && known.mtimeNanos() == mtime) {
            return known.sha256();
        }
        Entry fresh = new Entry(size, mtime, hasher.sha256(absolute, skip));
        entries.put(key, fresh);
        save(key, fresh);
        return fresh.sha256();
    }

    private synchronized void loadOnce() {
        if (!loaded) {
            loaded = true;
            read().forEach(entries::putIfAbsent);
        }
    }

    /** Adds one entry to what is on disk now, so that what other processes saved meanwhile is kept. */
    private synchronized void save(Key key, Entry entry) {
        if (store == null || unwritable) {
            return;
        }
        Map<Key, Entry> onDisk = read();
        onDisk.forEach(entries::putIfAbsent);
        onDisk.put(key, entry);
        try {
            AtomicFile.write(store, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(onDisk)));
        } catch (IOException e) {
            unwritable = true;
            LOG.log(
                    System.Logger.Level.INFO,
                    "cannot save model hashes in {0} ({1}); each process hashes again (make it writable, or"
                            + " -Deasel.hashcache=off to stop trying)",
                    store,
                    e.toString());
        }
    }

    /** The entries in the file; none when it is missing, too large, or not what this class writes. */
    private Map<Key, Entry> read() {
        Map<Key, Entry> found = new HashMap<>();
        if (store == null || !Files.isRegularFile(store)) {
            return found; // not a pipe or device either, which could block or never end
        }
        JsonNode root;
        try (InputStream in = Files.newInputStream(store)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return found;
            }
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            return found; // missing, unreadable or not JSON: rebuilt as files are hashed
        }
        if (root == null || !root.path("version").isInt() || root.get("version").intValue() != VERSION) {
            return found;
        }
        for (Iterator<Map.Entry<String, JsonNode>> kinds = root.fields(); kinds.hasNext(); ) {
            Map.Entry<String, JsonNode> kind = kinds.next();
            for (Iterator<Map.Entry<String, JsonNode>> files = kind.getValue().fields(); files.hasNext(); ) {
                Map.Entry<String, JsonNode> file = files.next();
                JsonNode size = file.getValue().path("size");
                JsonNode mtime = file.getValue().path("mtime_ns");
                JsonNode sha256 = file.getValue().path("sha256");
                if (size.isIntegralNumber()
                        && size.canConvertToLong()
                        && mtime.isIntegralNumber()
                        && mtime.canConvertToLong()
                        && sha256.isTextual()
                        && SHA256.matcher(sha256.textValue()).matches()) {
                    found.put(
                            new Key(kind.getKey(), file.getKey()),
                            new Entry(size.longValue(), mtime.longValue(), sha256.textValue()));
                }
            }
        }
        return found;
    }

    private static ObjectNode toJson(Map<Key, Entry> entries) {
        Map<String, Map<String, Entry>> sorted = new TreeMap<>();
        entries.forEach((key, entry) ->
                sorted.computeIfAbsent(key.kind(), k -> new TreeMap<>()).put(key.path(), entry));
        ObjectNode root = JSON.createObjectNode().put("version", VERSION);
        sorted.forEach((kind, files) -> {
            ObjectNode section = root.putObject(kind);
            files.forEach((path, entry) -> section.putObject(path)
                    .put("size", entry.size())
                    .put("mtime_ns", entry.mtimeNanos())
                    .put("sha256", entry.sha256()));
        });
        return root;
    }
}
