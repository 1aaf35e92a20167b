package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerParityTest {

    @Test
    void idsEqualTheReferenceTokenizerForEveryCase() {
        ClipTokenizer tok = ClipTokenizer.load(Reference.model().resolve("tokenizer"));
        JsonNode cases = Reference.index().path("global").path("tokenizer_cases");
        assertEquals(7, cases.size());
        try (NDManager m = NDManager.newBaseManager()) {
            for (JsonNode c : cases) {
                String text = c.get("text").asText();
                List<String> expectedTokens = new ArrayList<>();
                c.get("tokens").forEach(t -> expectedTokens.add(t.asText()));
                List<String> tokens = new ArrayList<>();
                tokens.add("<|startoftext|>");
                tokens.addAll(tok.tokenize(text));
                tokens.add("<|endoftext|>");
                assertEquals(expectedTokens, tokens, "tokens of case " + c.get("i"));
                long[] padded = Reference.npy(m, c.get("files").get(0).asText()).toLongArray();
                long[] full = Reference.npy(m, c.get("files").get(1).asText()).toLongArray();
                assertArrayEquals(full, tok.encodeFull(text), "full ids of case " + c.get("i"));
                assertArrayEquals(padded, tok.encode(text), "padded ids of case " + c.get("i"));
            }
        }
    }

    @Test
    void truncationKeepsEosAt77() {
        ClipTokenizer tok = ClipTokenizer.load(Reference.model().resolve("tokenizer"));
        long[] ids = tok.encode("a ".repeat(200));
        assertEquals(77, ids.length);
        assertEquals(tok.bosId(), ids[0]);
        assertEquals(tok.eosId(), ids[76]);
    }

    @Test
    void theCutOffEndOfALongPromptReadsAsText() {
        ClipTokenizer tok = ClipTokenizer.load(Reference.model().resolve("tokenizer"));
        String prompt = "a red circle, ".repeat(25) + "and a Blue café";
        String cut = tok.truncatedPart(prompt);
        assertTrue(cut.endsWith("and a blue café"), cut); // byte-level symbols decoded back to UTF-8
        String squeezed = cut.replace(" ", "");
        assertTrue(
                squeezed.length() > 20 && prompt.toLowerCase().replace(" ", "").endsWith(squeezed), cut);
        assertEquals("", tok.truncatedPart("a red circle"));
    }
}
