package dev.easel.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.display.MimeBundle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void textShowsBarCountSpeedAndEta() {
        AtomicLong now = new AtomicLong(0);
        Progress p = Progress.detached("Sampling", 20, "it", now::get);
        now.set(3_000_000_000L);
        p.set(9);
        assertEquals(
                "Sampling [██████████░░░░░░░░░░░░░░] 9/20 it  45% · 3.00 it/s · 0:03 elapsed · ETA 0:04", p.text());
        p.metric("loss", 0.123456).message("decoding");
        assertTrue(p.text().endsWith("· ETA 0:04 · loss 0.1235 · decoding"), p.text());
        now.set(7_000_000_000L);
        p.set(20);
        p.done();
        assertTrue(p.text().contains("20/20 it 100%"), p.text());
        assertTrue(!p.text().contains("ETA"), p.text());
    }

    @Test
    void slowJobsShowSecondsPerStepAndUnknownTotalsACount() {
        AtomicLong now = new AtomicLong(0);
        Progress p = Progress.detached("Loading", 0, "file", now::get);
        now.set(10_000_000_000L);
        p.set(4);
        assertEquals("Loading 4 file · 2.50 s/file · 0:10 elapsed", p.text());
    }

    @Test
    void oneOutputAreaUpdatedInPlaceAndThrottled() {
        try (RecordingSink sink = new RecordingSink()) {
            try (Progress p = Progress.start("Steps", 1000)) {
                for (int i = 0; i < 1000; i++) {
                    p.step();
                }
            }
            assertEquals(1, sink.of("display").size());
            String id = sink.of("display").get(0).displayId();
            assertTrue(sink.of("update").stream().allMatch(e -> e.displayId().equals(id)));
            assertTrue(
                    sink.of("update").size() < 20,
                    "throttled: " + sink.of("update").size());
            MimeBundle last = sink.events.get(sink.events.size() - 1).bundle();
            assertTrue(last.plainText().contains("1000/1000 it 100%"), last.plainText());
            assertTrue(last.plainText().endsWith("· done"), last.plainText());
            assertTrue(String.valueOf(last.data().get(MimeBundle.HTML)).contains("width:100%"));
        }
    }

    @Test
    void closingAnUnfinishedBarOnAnInterruptedThreadSaysInterrupted() {
        try (RecordingSink sink = new RecordingSink()) {
            Progress p = Progress.start("Steps", 10);
            p.step();
            Thread.currentThread().interrupt();
            try {
                p.close();
            } finally {
                Thread.interrupted();
            }
            String last = sink.events.get(sink.events.size() - 1).bundle().plainText();
            assertTrue(last.contains("1/10") && last.endsWith("· interrupted"), last);
            assertTrue(p.isFinished());
        }
    }
}
