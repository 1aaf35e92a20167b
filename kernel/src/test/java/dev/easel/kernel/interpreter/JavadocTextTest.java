package dev.easel.kernel.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JavadocTextTest {

    @Test
    void inlineTagsHtmlAndBlockTagsBecomeText() {
        String javadoc = """
                 Starts a request; set options on it, then {@link Txt2Img#run()}. Sizes are multiples of
                 {@code 8}, see {@link #size(int, int) size}.
                 <p>Two kinds:
                 <ul><li>{@literal a < b} &amp; more</li><li>the other</li></ul>
                 @param prompt what to draw, e.g.
                     {@code "a red circle"}
                 @param steps how many
                 @return the request
                 @throws IllegalArgumentException when {@code steps < 1}
                """;
        assertEquals("""
                Starts a request; set options on it, then Txt2Img.run(). Sizes are multiples of
                8, see size.

                Two kinds:
                  - a < b & more
                  - the other

                Parameters:
                  prompt – what to draw, e.g. "a red circle"
                  steps – how many

                Returns:
                  the request

                Throws:
                  IllegalArgumentException – when steps < 1""", JavadocText.plain(javadoc));
    }

    @Test
    void otherTagsAreDroppedAndSeeReferencesReadLikeLinks() {
        assertEquals(
                "As in The Java Virtual Machine Specification, see the docs.\n\nSee also:\n  Math.absExact(int)",
                JavadocText.plain("As in <cite>The Java Virtual Machine Specification</cite>, see <a href=\"x.html\">"
                        + "the docs</a>.\n@see Math#absExact(int)"));
    }

    @Test
    void genericsInCodeAreNotTakenForTags() {
        assertEquals(
                "Returns a List<String> keyed like Map<K, V>.",
                JavadocText.plain("Returns a {@code List<String>} keyed like <b>{@code Map<K, V>}</b>."));
    }

    @Test
    void plainTextStaysAsItIs() {
        assertEquals("Loads a model.", JavadocText.plain(" Loads a model. "));
        assertEquals("List.of", JavadocText.plain("{@link java.util.List#of}").replace("java.util.", ""));
    }
}
