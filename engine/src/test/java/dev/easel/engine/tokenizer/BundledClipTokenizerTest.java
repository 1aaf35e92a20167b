package dev.easel.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The CLIP vocabulary shipped in the jar gives the ids of OpenAI's / transformers' CLIP tokenizer. */
class BundledClipTokenizerTest {

    @Test
    void knownPromptsGiveClipsIds() {
        ClipTokenizer sd1 = ClipTokenizer.bundled(ClipTokenizer.SD1_PAD);
        assertEquals(49408, sd1.vocabularySize());
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 2368, 49407}, sd1.encodeFull("a photo of a cat"));
        assertArrayEquals(
                new long[] {49406, 320, 8853, 539, 550, 18376, 6765, 320, 4558, 49407},
                sd1.encodeFull("a photograph of an astronaut riding a horse"));
        // Case and spacing are normalised before BPE.
        assertArrayEquals(sd1.encodeFull("a photo of a cat"), sd1.encodeFull("  A Photo   of a CAT "));
        long[] padded = sd1.encode("a photo of a cat");
        assertEquals(77, padded.length);
        assertEquals(49407, padded[76], "SD 1.x pads with <|endoftext|>");
    }

    @Test
    void sd2PadsWithExclamationMark() {
        ClipTokenizer sd2 = ClipTokenizer.bundled(ClipTokenizer.SD2_PAD);
        long[] padded = sd2.encode("a photo of a cat");
        assertEquals(49407, padded[6]);
        assertEquals(0, padded[7], "OpenCLIP pads with '!' = id 0");
        assertEquals(0, Arrays.stream(padded, 7, 77).max().getAsLong());
    }
}
