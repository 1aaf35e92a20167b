package dev.easel.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlainTextTest {

    private static String shown(Object value) {
        return new Renderers().render(value).plainText();
    }

    @Test
    void arraysReadAsJshellPrintsThem() {
        assertEquals("int[3] { 1, 2, 3 }", shown(new int[] {1, 2, 3}));
        assertEquals(
                "String[3] { \"a\", null, \"say \\\"hi\\\"\\n\" }", shown(new String[] {"a", null, "say \"hi\"\n"}));
        assertEquals("int[2][] { int[2] { 1, 2 }, int[1] { 3 } }", shown(new int[][] {{1, 2}, {3}}));
        assertEquals("Object[3] { 1, \"s\", int[1] { 4 } }", shown(new Object[] {1, "s", new int[] {4}}));
        assertEquals("char[1] { 'a' }", shown(new char[] {'a'}));
        assertEquals("double[0] {  }", shown(new double[0]));
    }

    @Test
    void aLargeArrayIsCut() {
        String text = shown(new float[1_000_000]);
        assertTrue(text.startsWith("float[1000000] { 0.0, 0.0, "), text);
        assertTrue(text.endsWith(", 0.0, … 999,000 more }"), text);
        assertTrue(text.length() < 10_000, "length " + text.length());
    }

    @Test
    void otherValuesAreTheirStringValue() {
        assertEquals("[1, 2]", shown(java.util.List.of(1, 2)));
        assertEquals("null", shown(null));
        assertEquals("c", shown('c'));
    }
}
