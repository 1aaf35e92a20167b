package dev.easel.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.io.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashCacheTest {

    @TempDir
    Path dir;

    /** Hashes for real and counts how often it had to. */
    private final List<Path> hashed = new ArrayList<>();

    private HashCache cache(Path store) {
        return new HashCache(store, (file, skip) -> {
            hashed.add(file);
            return Sha256.of(file, skip);
        });
    }

    @Test
    void aFileIsHashedOnceThenReadFromDiskByTheNextProcess() throws Exception {
        Path model = Files.write(dir.resolve("model.ckpt"), new byte[] {1, 2, 3, 4, 5});
        Path store = dir.resolve("cache/easel/hashes.json");
        String expected = Sha256.of(model);

        assertEquals(expected, cache(store).sha256(model, "file", 0));
        assertEquals(Sha256.of(model, 4), cache(store).sha256(model, "addnet", 4), "another kind, hashed on its own");
        assertEquals(2, hashed.size());
        hashed.clear();
        HashCache nextProcess = cache(store);
        assertEquals(expected, nextProcess.sha256(model, "file", 0));
        assertEquals(expected, nextProcess.sha256(dir.resolve("./model.ckpt"), "file", 0), "keyed by the same file");
        assertEquals(Sha256.of(model, 4), nextProcess.sha256(model, "addnet", 4));
        assertEquals(List.of(), hashed, "nothing hashed again");
        assertTrue(Files.readString(store).contains(expected));
    }

    @Test
    void aChangedFileIsHashedAgain() throws Exception {
        Path model = Files.write(dir.resolve("model.ckpt"), new byte[] {1, 2, 3});
        Path store = dir.resolve("hashes.json");
        FileTime time = Files.getLastModifiedTime(model);
        cache(store).sha256(model, "file", 0);

        Files.write(model, new byte[] {9, 9, 9}); // same size: only the time tells
        Files.setLastModifiedTime(model, FileTime.fromMillis(time.toMillis() + 2000));
        assertEquals(Sha256.of(model), cache(store).sha256(model, "file", 0));
        Files.write(model, new byte[] {9, 9, 9, 9}); // another size, time put back
        Files.setLastModifiedTime(model, time);
        HashCache same = cache(store);
        assertEquals(Sha256.of(model), same.sha256(model, "file", 0));
        assertEquals(3, hashed.size());
        assertEquals(Sha256.of(model), same.sha256(model, "file", 0));
        assertEquals(3, hashed.size(), "kept in memory too");
    }

    @Test
    void aDamagedOrForeignCacheFileIsIgnoredAndReplaced() throws Exception {
        Path model = Files.write(dir.resolve("model.ckpt"), new byte[] {7});
        Path store = dir.resolve("hashes.json");
        String real = Sha256.of(model);
        String key =
                new ObjectMapper().writeValueAsString(model.toAbsolutePath().toString());
        long size = Files.size(model);
        long mtime = Files.getLastModifiedTime(model).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        String wrong = "0".repeat(64);
        List<String> damaged = List.of(
                "{\"version\": 1, \"file\": {" + key + ": {\"size\": ", // cut off
                "[1, 2, 3]",
                "\"text\"",
                "null",
                "",
                "[".repeat(100_000),
                "{\"version\": 2, \"file\": {" + key + ": {\"size\": " + size + ", \"mtime_ns\": " + mtime
                        + ", \"sha256\": \"" + wrong + "\"}}}",
                "{\"version\": 1, \"file\": {" + key + ": {\"size\": \"" + size + "\", \"mtime_ns\": " + mtime
                        + ", \"sha256\": \"" + wrong + "\"}}}",
                "{\"version\": 1, \"file\": {" + key + ": {\"size\": " + size + ", \"mtime_ns\": " + mtime
                        + ", \"sha256\": \"" + wrong.substring(1) + "\"}}}",
                "{\"version\": 1, \"file\": [1], \"addnet\": 3, \"x\": {" + key + ": 5}}",
                // a file over the size cap is not read, however right its entry
                "{\"version\": 1, \"file\": {" + key + ": {\"size\": " + size + ", \"mtime_ns\": " + mtime
                        + ", \"sha256\": \"" + wrong + "\"}}, \"pad\": \"" + " ".repeat(HashCache.MAX_BYTES) + "\"}");
        for (String text : damaged) {
            Files.writeString(store, text);
            hashed.clear();
            assertEquals(real, cache(store).sha256(model, "file", 0), text.substring(0, Math.min(80, text.length())));
            assertEquals(1, hashed.size());
            assertEquals(real, cache(store).sha256(model, "file", 0));
            assertEquals(
                    1, hashed.size(), "replaced by a good cache: " + text.substring(0, Math.min(80, text.length())));
        }
        // the same entry well-formed is believed (which is what the cases above would have been without their flaw)
        Files.writeString(
                store,
                "{\"version\": 1, \"file\": {" + key + ": {\"size\": " + size + ", \"mtime_ns\": " + mtime
                        + ", \"sha256\": \"" + wrong + "\"}}}");
        assertEquals(wrong, cache(store).sha256(model, "file", 0));
    }

    @Test
    void anUnwritableCacheStillHashesAndSaysSoOnce() throws Exception {
        Path model = Files.write(dir.resolve("model.ckpt"), new byte[] {1, 2});
        Path other = Files.write(dir.resolve("other.ckpt"), new byte[] {3, 4});
        // A file where the cache folder should be: creating it fails even for root, unlike a read-only folder.
        Path blocked = Files.writeString(dir.resolve("home"), "not a folder").resolve(".cache/easel/hashes.json");
        List<LogRecord> logged = new ArrayList<>();
        Logger logger = Logger.getLogger(HashCache.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(capture);
        try {
            HashCache cache = cache(blocked);
            assertEquals(Sha256.of(model), cache.sha256(model, "file", 0));
            assertEquals(Sha256.of(other), cache.sha256(other, "file", 0));
            assertEquals(Sha256.of(model), cache.sha256(model, "file", 0));
            assertEquals(2, hashed.size(), "still kept in memory");
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(1, logged.size(), "one line, not one per file");
        assertTrue(logged.get(0).getMessage().startsWith("cannot save model hashes in"));
        assertFalse(Files.exists(blocked));
    }

    @Test
    void theUsersCacheFolderUnlessTurnedOff() {
        String cacheFolder = System.getProperty("easel.cache");
        String setting = System.getProperty(HashCache.PROPERTY);
        try {
            System.setProperty("easel.cache", dir.toString());
            System.clearProperty(HashCache.PROPERTY);
            assertEquals(dir.resolve("hashes.json"), HashCache.forUser().store());
            System.setProperty(HashCache.PROPERTY, "off");
            assertNull(HashCache.forUser().store());
        } finally {
            restore("easel.cache", cacheFolder);
            restore(HashCache.PROPERTY, setting);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
