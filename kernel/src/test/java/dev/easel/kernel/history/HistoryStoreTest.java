package dev.easel.kernel.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryStoreTest {

    @TempDir
    Path dir;

    @Test
    void survivesARestartAsANewSession() throws Exception {
        Path file = dir.resolve("easel").resolve("history.jsonl");
        HistoryStore first = new HistoryStore(file);
        assertEquals(1, first.session());
        first.append(1, "int a = 1;");
        first.append(2, "a + 1");
        // a crash while writing leaves a torn last line; it is skipped
        Files.writeString(file, "{\"session\": 1, \"li", StandardOpenOption.APPEND);
        HistoryStore second = new HistoryStore(file);
        assertEquals(2, second.session());
        second.append(1, "a * 2");
        assertEquals(
                List.of("int a = 1;", "a + 1", "a * 2"),
                second.tail(3).stream().map(HistoryStore.Entry::source).toList());
        assertEquals(List.of(new HistoryStore.Entry(1, 2, "a + 1")), second.range(1, 2, 3));
        assertEquals(
                List.of(new HistoryStore.Entry(1, 1, "int a = 1;"), new HistoryStore.Entry(1, 2, "a + 1")),
                second.range(-1, 0, 0),
                "a negative session counts back from the current one");
        assertEquals(List.of(new HistoryStore.Entry(2, 1, "a * 2")), second.range(0, 1, 0));
    }

    @Test
    void searchWithGlobUniqueAndLimit() {
        HistoryStore history = new HistoryStore(dir.resolve("h.jsonl"));
        history.append(1, "6 * 7");
        history.append(2, "6 * 7");
        history.append(3, "6 + 6");
        history.append(4, "println(\"x\")");
        assertEquals(3, history.search("6 *", 0, false).size());
        assertEquals(2, history.search("6 * 7", 0, false).size());
        assertEquals(1, history.search("6 * 7", 0, true).size());
        assertEquals(
                List.of(3),
                history.search("6*", 1, false).stream()
                        .map(HistoryStore.Entry::line)
                        .toList());
        assertEquals(1, history.search("print?n(*", 0, false).size());
        assertEquals(4, history.search("*", 0, false).size());
    }

    @Test
    void kernelsStartedTogetherGetSessionsOfTheirOwn() throws Exception {
        // As two kernels started by one "Run all" in two notebooks: before, both read the same last session.
        Path file = dir.resolve("history.jsonl");
        int kernels = 8;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Integer>> sessions = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(kernels);
        try {
            for (int i = 0; i < kernels; i++) {
                sessions.add(pool.submit(() -> {
                    start.await();
                    return new HistoryStore(file).session();
                }));
            }
            start.countDown();
            java.util.Set<Integer> distinct = new java.util.TreeSet<>();
            for (java.util.concurrent.Future<Integer> session : sessions) {
                distinct.add(session.get());
            }
            assertEquals(
                    java.util.stream.IntStream.rangeClosed(1, kernels).boxed().toList(), List.copyOf(distinct));
        } finally {
            pool.shutdown();
        }
        assertEquals(kernels + 1, new HistoryStore(file).session(), "a session that ran no cell stays claimed");
    }

    @Test
    void historyIsReadableByItsOwnerOnly() throws Exception {
        Path folder = dir.resolve("jupyter").resolve("easel");
        Path file = folder.resolve("history.jsonl");
        new HistoryStore(file).append(1, "String password = \"hunter2\";");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        // a history an older Easel left world-readable is tightened when a kernel opens it
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        new HistoryStore(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
    }
}
