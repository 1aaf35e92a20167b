package dev.easel.kernel.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DropLogTest {

    @Test
    void aFloodOfDroppedMessagesWritesAFewLinesNotOneEach() {
        // The probe's 6,138 forged frames wrote 3,804 WARN lines.
        List<String> lines = new ArrayList<>();
        AtomicLong now = new AtomicLong();
        DropLog log = new DropLog(lines::add, now::get);
        for (int i = 0; i < 3_804; i++) {
            log.dropped("shell", i % 2 == 0 ? "bad signature" : "bad header: Unexpected character at " + i);
            now.addAndGet(5); // 19 s in all
        }
        log.flush();
        assertEquals(DropLog.FIRST_IN_FULL + 2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("dropped a message on shell: bad signature"), lines.get(0));
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("(3804 in all)"), last);
        assertTrue(last.contains("shell: bad header ×"), last);
        assertTrue(last.contains("shell: bad signature ×"), last);
    }
}
