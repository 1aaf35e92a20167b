package dev.easel.engine.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ShapesDatasetTest {

    private static final Pattern CAPTION = Pattern.compile(
            "a (small |large )?(red|green|blue|yellow|purple|orange|white|black) (circle|square|triangle) on a "
                    + "(red|green|blue|yellow|purple|orange|white|black) background"
                    + "( in the (top left|top right|bottom left|bottom right|center))?");

    private final ShapesDataset dataset = new ShapesDataset(7, 64);

    @Test
    void sameSeedAndIndexGiveTheSameImageAndCaption() {
        ShapesDataset again = new ShapesDataset(7, 64);
        for (long i = 0; i < 20; i++) {
            assertEquals(dataset.scene(i), again.scene(i));
            assertArrayEquals(pixels(dataset.image(dataset.scene(i))), pixels(again.image(again.scene(i))));
        }
        assertFalse(dataset.scene(0).equals(new ShapesDataset(8, 64).scene(0)), "another seed, another dataset");
    }

    @Test
    void captionsFollowTheGrammarAndNeverNameAHeldOutCombination() {
        Set<Combination> heldOut = Set.copyOf(ShapesDataset.HELD_OUT);
        Set<Combination> seen = new HashSet<>();
        for (long i = 0; i < 5000; i++) {
            ShapeScene scene = dataset.scene(i);
            assertTrue(CAPTION.matcher(scene.caption()).matches(), scene.caption());
            assertFalse(heldOut.contains(scene.combination()), scene.caption());
            seen.add(scene.combination());
        }
        assertEquals(168 - ShapesDataset.HELD_OUT.size(), seen.size(), "every training combination appears");
    }

    @Test
    void analyzerReadsBackWhatTheRendererDrew() {
        int right = 0;
        int total = 0;
        for (long i = 0; i < 600; i++) {
            ShapeScene scene = dataset.scene(i);
            ShapeAnalyzer.Reading reading = ShapeAnalyzer.analyze(dataset.image(scene));
            total++;
            if (reading.matches(scene.combination())) {
                right++;
            }
        }
        // The analyzer scores the default model; on clean renders it must be nearly perfect to be a fair judge.
        assertTrue(right >= total - 3, right + " of " + total + " read back correctly");
    }

    @Test
    void analyzerFindsNoShapeOnAPlainImage() {
        BufferedImage plain = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        ShapeAnalyzer.Reading reading = ShapeAnalyzer.analyze(plain);
        assertEquals(null, reading.shape());
        assertEquals(PaletteColor.BLACK, reading.background());
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
