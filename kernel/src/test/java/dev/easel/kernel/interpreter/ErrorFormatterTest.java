package dev.easel.kernel.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorFormatterTest {

    @Test
    void aRunOfOneRepeatedFrameIsCutToFiveAndACount() {
        List<String> frames = new ArrayList<>(List.of("    at top"));
        for (int i = 0; i < 1_025; i++) {
            frames.add("    at down (cell line 1)");
        }
        frames.add("    at <cell> (cell line 2)");
        List<String> collapsed = ErrorFormatter.collapseRepeats(frames);
        assertEquals(8, collapsed.size(), String.join("\n", collapsed));
        assertEquals("    … 1,020 more of the same", collapsed.get(6));
        assertEquals("    at <cell> (cell line 2)", collapsed.get(7));
    }

    @Test
    void mutualRecursionCollapsesByItsCycle() {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            frames.add("    at even");
            frames.add("    at odd");
        }
        List<String> collapsed = ErrorFormatter.collapseRepeats(frames);
        assertEquals(
                List.of(
                        "    at even",
                        "    at odd",
                        "    at even",
                        "    at odd",
                        "    at even",
                        "    at odd",
                        "    … 594 more of the same (2 frames repeating)"),
                collapsed);
    }

    @Test
    void framesThatDoNotRepeatAreKept() {
        List<String> frames = List.of("a", "b", "a", "b", "c", "c", "d");
        assertEquals(frames, ErrorFormatter.collapseRepeats(frames));
    }
}
