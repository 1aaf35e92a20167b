package dev.easel.kernel.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {

    @Test
    void batchesNeverSplitAUtf8Character() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 'a' + 3 bytes
        assertEquals(4, OutputCapture.completeUtf8Length(euro));
        assertEquals(1, OutputCapture.completeUtf8Length(java.util.Arrays.copyOf(euro, 3)));
        assertEquals(1, OutputCapture.completeUtf8Length(java.util.Arrays.copyOf(euro, 2)));
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
        assertEquals(4, OutputCapture.completeUtf8Length(emoji));
        assertEquals(0, OutputCapture.completeUtf8Length(java.util.Arrays.copyOf(emoji, 3)));
    }
}
