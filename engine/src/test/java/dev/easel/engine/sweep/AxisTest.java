package dev.easel.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AxisTest {

    @Test
    void commaSeparatedValuesWithQuotes() {
        assertEquals(List.of(10L, 20L, 30L), Axis.parse("steps:10,20,30").values());
        assertEquals(List.of("a, b", "c"), Axis.parse("prompt_sr:\"a, b\",c").values());
        assertEquals(
                List.of("euler", "ddim"), Axis.parse("Sampler: euler , ddim").values());
        assertEquals(
                List.of("say \"hi\""), Axis.parse("negative:\"say \"\"hi\"\"\"").values());
    }

    @Test
    void integerRangesAsInTheWebUi() {
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), Axis.parse("steps:1-5").values());
        assertEquals(List.of(1L, 3L, 5L), Axis.parse("steps:1-5 (+2)").values());
        assertEquals(List.of(10L, 7L), Axis.parse("steps:10-5 (-3)").values());
        assertEquals(List.of(1L, 3L, 5L, 7L, 10L), Axis.parse("steps:1-10 [5]").values());
        assertEquals(List.of(-1L, 7L), Axis.parse("seed:-1,7").values());
        assertEquals(List.of(5L, 1L, 2L, 3L), Axis.parse("seed:5,1-3").values());
    }

    @Test
    void decimalRangesAsInTheWebUi() {
        assertEquals(
                List.of(0.5, 0.75, 1.0, 1.25, 1.5),
                Axis.parse("cfg:0.5-1.5 (+0.25)").values());
        assertEquals(List.of(3.0, 5.0, 7.0, 9.0), Axis.parse("cfg:3-9 [4]").values());
        assertEquals(List.of(7.5), Axis.parse("cfg:7.5").values());
        assertEquals(11, Axis.parse("eta:0-1 (+0.1)").size(), "ends exactly on 1.0 despite binary fractions");
    }

    @Test
    void sizesAndTypedFactories() {
        assertEquals(
                List.of(new ImageSize(64, 64), new ImageSize(64, 96)),
                Axis.parse("size:64x64, 64X96").values());
        assertEquals(Axis.parse("steps:10,20"), Axis.steps(10, 20));
        assertEquals(Axis.parse("cfg:3,7.5"), Axis.cfg(3, 7.5));
        assertEquals("CFG Scale: 3.0", Axis.cfg(3).label(0));
        assertEquals("circle", Axis.promptSr("circle", "square").label(0));
    }

    @Test
    void randomSeedIsOnePerSweep() {
        Axis axis = Axis.parse("seed:-1,-1,5").withRandomSeedsResolved(new Random(1));
        assertEquals(axis.values().get(0), axis.values().get(1));
        assertTrue((Long) axis.values().get(0) >= 0);
        assertEquals(5L, axis.values().get(2));
    }

    @Test
    void badSyntaxNamesTheAxisAndThePosition() {
        assertMessage("unknown axis 'stepz'", "stepz:1,2");
        assertMessage("needs the form TYPE:VALUES", "steps");
        assertMessage("steps axis, value at character 4: an empty value", "steps:10,,20");
        assertMessage("steps axis, value at character 4: 'x' is not a whole number", "steps:10,x");
        assertMessage("a range step of 0 never ends", "steps:1-5 (+0)");
        assertMessage("the step +1 goes away from 1; use (-1)", "steps:5-1 (+1)");
        assertMessage("cfg axis, value at character 1: [0] asks for no values", "cfg:3-9 [0]");
        assertMessage("size must be a multiple of 8 on each side, got 100x64 (try 104x64)", "size:100x64");
        assertMessage("size 100000x512 is larger than 8192 pixels a side", "size:100000x512");
        // Issue 19: no axis reads a non-finite number.
        assertMessage("cfg axis, value at character 1: 'NaN' is not a number", "cfg:NaN");
        assertMessage("cfg axis, value at character 3: 'Infinity' is not a number", "cfg:3,Infinity");
        assertMessage("lora_weight axis, value at character 1: 'NaN' is not a number", "lora_weight:NaN");
        assertMessage("eta axis, value at character 1: '1e999' is not a number", "eta:1e999");
        assertMessage("never closed", "prompt_sr:\"a,b");
        assertMessage("no values", "steps:");
    }

    private static void assertMessage(String expected, String spec) {
        AxisSyntaxException e = assertThrows(AxisSyntaxException.class, () -> Axis.parse(spec));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
