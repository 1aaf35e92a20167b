package dev.easel.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A1111's {@code parse_prompt_attention} cases, weights compared exactly (same multiplication order). */
class PromptAttentionTest {

    private static String show(List<PromptAttention.Span> spans) {
        StringBuilder b = new StringBuilder();
        for (PromptAttention.Span s : spans) {
            b.append(s.isBreak() ? "BREAK" : "[" + s.text() + "|" + s.weight() + "]");
        }
        return b.toString();
    }

    @Test
    void a1111Cases() {
        assertEquals("[normal text|1.0]", show(PromptAttention.parse("normal text")));
        assertEquals("[an |1.0][important|1.1][ word|1.0]", show(PromptAttention.parse("an (important) word")));
        assertEquals("[unbalanced|1.1]", show(PromptAttention.parse("(unbalanced")));
        assertEquals("[(literal]|1.0]", show(PromptAttention.parse("\\(literal\\]")));
        assertEquals("[unnecessaryparens|1.1]", show(PromptAttention.parse("(unnecessary)(parens)")));
        assertEquals(
                "[a |1.0][house|1.5730000000000004][ |1.1][on|1.0][ a |1.1][hill|0.55][, sun, |1.1]"
                        + "[sky|1.4641000000000006][.|1.1]",
                show(PromptAttention.parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).")));
    }

    @Test
    void squareBracketsWeightsAndSpans() {
        assertEquals("[a |1.0][b|" + (1 / 1.1) + "]", show(PromptAttention.parse("a [b]")));
        assertEquals("[x|1.2100000000000002]", show(PromptAttention.parse("((x))")));
        assertEquals("[red, blue|0.8][ sky|1.0]", show(PromptAttention.parse("(red, blue:0.8) sky")));
        assertEquals("[a|1.0][b|1.5][c|1.0]", show(PromptAttention.parse("a(b: 1.5 )c")));
        assertEquals("[a) b] c|1.0]", show(PromptAttention.parse("a) b] c")));
        assertEquals("[style: anime|1.1]", show(PromptAttention.parse("(style: anime)")));
        assertEquals("[|1.0]", show(PromptAttention.parse("")));
    }

    @Test
    void breakSplitsOnlyAsAWord() {
        assertEquals("[a|1.0]BREAK[b|1.0]", show(PromptAttention.parse("a BREAK b")));
        assertEquals("[a BREAKING b|1.0]", show(PromptAttention.parse("a BREAKING b")));
        assertEquals("[a break b|1.0]", show(PromptAttention.parse("a break b")));
    }

    @Test
    void badInputIsOneLineThatSaysWhatToWrite() {
        EngineException e = assertThrows(EngineException.class, () -> PromptAttention.parse("(cat:1.2.3)"));
        assertTrue(e.getMessage().contains("'1.2.3' is not a number"), e.getMessage());
        e = assertThrows(EngineException.class, () -> PromptAttention.parse("(cat:1,5)"));
        assertTrue(e.getMessage().contains("(word:1.5)"), e.getMessage());
        e = assertThrows(EngineException.class, () -> PromptAttention.parse("(red BREAK hat)"));
        assertTrue(e.getMessage().contains("outside ( ) and [ ]"), e.getMessage());
    }

    @Test
    void hasSyntax() {
        assertFalse(PromptAttention.hasSyntax("a red circle, oil painting"));
        assertTrue(PromptAttention.hasSyntax("a (red) circle"));
        assertTrue(PromptAttention.hasSyntax("a \\(red\\) circle"));
        assertTrue(PromptAttention.hasSyntax("a BREAK b"));
    }
}
