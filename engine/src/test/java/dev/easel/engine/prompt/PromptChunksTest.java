package dev.easel.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.tokenizer.ClipTokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Chunks of 75 tokens as A1111's {@code tokenize_line}, on the reference tokenizer. */
class PromptChunksTest {

    static ClipTokenizer tok;

    @BeforeAll
    static void load() {
        tok = ClipTokenizer.load(Reference.model().resolve("tokenizer"));
    }

    /** The number of tokens (without start/end) of a text. */
    private static int tokens(String text) {
        return tok.encodeFull(text).length - 2;
    }

    @Test
    void aPlainShortPromptGivesTheTokenizersIds() {
        for (String p : new String[] {"a photograph of an astronaut riding a horse", "", "ugly, deformed"}) {
            PromptChunks c = PromptChunks.of(p, tok);
            assertEquals(1, c.size());
            assertArrayEquals(tok.encode(p), c.ids()[0]);
            assertFalse(c.weighted());
        }
    }

    @Test
    void weightsFollowTheirTokens() {
        PromptChunks c = PromptChunks.of("a (red:1.5) cat", tok);
        int a = tokens("a ");
        int red = tokens("red");
        float[] w = c.weights()[0];
        assertEquals(1f, w[0]);
        for (int i = 1; i <= a; i++) {
            assertEquals(1f, w[i]);
        }
        for (int i = a + 1; i <= a + red; i++) {
            assertEquals(1.5f, w[i]);
        }
        assertEquals(1f, w[a + red + 1]);
        assertTrue(c.weighted());
    }

    @Test
    void longPromptsSplitIntoChunksOf75WithTheirOwnStartAndEnd() {
        String word = "zebra ";
        int per = tokens(word);
        String prompt = word.repeat(160 / per + 1).strip();
        int total = tokens(prompt);
        PromptChunks c = PromptChunks.of(prompt, tok);
        assertEquals((total + 74) / 75, c.size());
        for (long[] ids : c.ids()) {
            assertEquals(77, ids.length);
            assertEquals(tok.bosId(), ids[0]);
        }
        assertEquals(tok.eosId(), c.ids()[0][76]);
        long[] all = tok.encodeFull(prompt);
        assertArrayEquals(Arrays.copyOfRange(all, 1, 76), Arrays.copyOfRange(c.ids()[0], 1, 76));
        assertArrayEquals(Arrays.copyOfRange(all, 76, 151), Arrays.copyOfRange(c.ids()[1], 1, 76));
    }

    @Test
    void aFullChunkMovesThePhraseAfterItsLastCommaToTheNext() {
        // 70 tokens of words, a comma, then a phrase that crosses token 75
        String head = "x ".repeat(70);
        assertEquals(70, tokens(head));
        String prompt = head + ", y y y y y y y y y y";
        PromptChunks c = PromptChunks.of(prompt, tok);
        assertEquals(2, c.size());
        long comma = tok.encodeFull(",")[1];
        assertEquals(comma, c.ids()[0][71]); // the comma closes the first chunk
        assertEquals(tok.eosId(), c.ids()[0][72]);
        long y = tok.encodeFull("y")[1];
        for (int i = 1; i <= 10; i++) {
            assertEquals(y, c.ids()[1][i]);
        }
        // no comma within the last 20 tokens: a hard cut at 75
        PromptChunks hard = PromptChunks.of("x ".repeat(50) + ", " + "y ".repeat(40), tok);
        assertEquals(tok.encodeFull("y")[1], hard.ids()[0][75]);
    }

    @Test
    void breakStartsANewChunk() {
        PromptChunks c = PromptChunks.of("red hat BREAK blue shoes", tok);
        assertEquals(2, c.size());
        assertArrayEquals(tok.encode("red hat"), c.ids()[0]);
        assertArrayEquals(tok.encode("blue shoes"), c.ids()[1]);
        assertEquals(1, PromptChunks.of("red hat BREAK", tok).size()); // harmless, as in A1111
    }

    @Test
    void breakAbuseIsOneLineError() {
        for (String p : new String[] {"BREAK red hat", "red BREAK BREAK hat", "BREAK"}) {
            EngineException e = assertThrows(EngineException.class, () -> PromptChunks.of(p, tok), p);
            assertTrue(e.getMessage().contains("write BREAK once"), e.getMessage());
        }
    }

    @Test
    void plainReadsSyntaxAsText() {
        PromptChunks c = PromptChunks.plain("a (red:1.5) cat", tok);
        assertArrayEquals(tok.encode("a (red:1.5) cat"), c.ids()[0]);
        assertFalse(c.weighted());
    }
}
