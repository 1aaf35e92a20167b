package dev.easel.magics.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.magics.MagicException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void splitsOnWhitespace() {
        assertEquals(List.of("a", "b", "c"), ShellWords.split("  a b\tc  "));
        assertEquals(List.of(), ShellWords.split("   "));
    }

    @Test
    void singleQuotesKeepEverythingLiterally() {
        assertEquals(List.of("a b", "c\\d\"e"), ShellWords.split("'a b' 'c\\d\"e'"));
    }

    @Test
    void doubleQuotesUnderstandBackslashQuoteAndBackslash() {
        assertEquals(List.of("say \"hi\"", "a\\b", "x\\n"), ShellWords.split("\"say \\\"hi\\\"\" \"a\\\\b\" \"x\\n\""));
    }

    @Test
    void backslashOutsideQuotesEscapesTheNextCharacter() {
        assertEquals(List.of("a b", "it's"), ShellWords.split("a\\ b it\\'s"));
    }

    @Test
    void adjacentPiecesJoinIntoOneWord() {
        assertEquals(List.of("--negative=blurry ugly"), ShellWords.split("--negative=\"blurry ugly\""));
        assertEquals(List.of("abc"), ShellWords.split("a'b'\"c\""));
    }

    @Test
    void wordsRememberWhereTheyAreAndWhetherQuoted() {
        List<ShellWords.Word> words = ShellWords.words("x \"y z\"");
        assertEquals(new ShellWords.Word("x", 0, 1, false), words.get(0));
        assertEquals(new ShellWords.Word("y z", 2, 7, true), words.get(1));
    }

    @Test
    void unclosedQuotesAreOneLineErrors() {
        MagicException single = assertThrows(MagicException.class, () -> ShellWords.split("a 'b"));
        assertEquals(
                "unclosed ' in the arguments (starting at column 3): close the quote, or write \\' for a literal quote",
                single.getMessage());
        MagicException dbl = assertThrows(MagicException.class, () -> ShellWords.split("\"b"));
        assertTrue(dbl.getMessage().startsWith("unclosed \" in the arguments (starting at column 1)"));
        assertTrue(!dbl.getMessage().contains("\n"));
    }
}
