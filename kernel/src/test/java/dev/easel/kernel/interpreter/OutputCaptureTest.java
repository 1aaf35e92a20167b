package dev.easel.kernel.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
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

    @Test
    void theWarmUpsLinesGoNowhereAndTheTargetIsKeptForWhatFollows() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        StringBuilder received = new StringBuilder();
        OutputCapture capture = new OutputCapture(
                (name, text) -> received.append(name).append(':').append(text));
        try {
            capture.install();
            System.out.println("before");
            capture.flush();
            capture.warmUp(1_000);
            System.out.println("after");
            capture.flush();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertEquals("stdout:before\nstdout:after\n", received.toString());
    }
}
