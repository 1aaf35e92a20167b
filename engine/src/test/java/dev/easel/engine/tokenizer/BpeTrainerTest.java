package dev.easel.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.shapes.ShapesDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    @TempDir
    Path folder;

    @Test
    void captionWordsBecomeSingleTokensInAVocabularyClipCanRead() {
        ShapesDataset dataset = new ShapesDataset(3, 64);
        List<String> captions = new ArrayList<>();
        for (long i = 0; i < 2000; i++) {
            captions.add(dataset.scene(i).caption());
        }
        BpeTrainer.Vocabulary vocabulary = BpeTrainer.train(captions, 1000);
        assertEquals(vocabulary, BpeTrainer.train(captions, 1000), "deterministic");
        vocabulary.write(folder);

        ClipTokenizer tokenizer = ClipTokenizer.load(folder);
        assertEquals(
                List.of(
                        "a</w>",
                        "small</w>",
                        "purple</w>",
                        "triangle</w>",
                        "on</w>",
                        "a</w>",
                        "white</w>",
                        "background</w>",
                        "in</w>",
                        "the</w>",
                        "top</w>",
                        "left</w>"),
                tokenizer.tokenize("A small  purple triangle on a WHITE background in the top left"));
        int size = vocabulary.ids().size();
        assertEquals(512 + vocabulary.merges().size() + 2, size);
        assertEquals(size - 2, tokenizer.bosId());
        assertEquals(size - 1, tokenizer.eosId());
        long[] ids = tokenizer.encode("a red circle on a blue background");
        assertEquals(77, ids.length);
        assertEquals(tokenizer.bosId(), ids[0]);
        assertEquals(tokenizer.eosId(), ids[8]);
        // A word never seen still tokenizes, as byte pieces, never as unknown.
        assertTrue(tokenizer.tokenize("zebra").size() > 1);
        for (long id : tokenizer.encodeFull("zebra")) {
            assertTrue(id >= 0 && id < size);
        }
    }
}
