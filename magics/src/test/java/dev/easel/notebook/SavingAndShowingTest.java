package dev.easel.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.Generation;
import dev.easel.display.MimeBundle;
import dev.easel.display.Renderers;
import dev.easel.engine.io.Png;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.magics.Captured;
import dev.easel.magics.CellParser;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.Magics;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavingAndShowingTest {

    @TempDir
    Path dir;

    static BufferedImage solid(int w, int h, Color color) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return image;
    }

    static GenerationParameters params(String prompt, long seed) {
        return new GenerationParameters(prompt, "blurry", 20, "Euler a", 7, seed, 64, 64, "tiny-sd", Map.of());
    }

    @Test
    void textChunksRoundTripLatin1AndUnicode() throws Exception {
        Map<String, String> text = Map.of("parameters", "a café\nSteps: 1", "Comment", "猫 🐈");
        Path file = dir.resolve("x.png");
        Png.write(solid(8, 8, Color.RED), text, file);
        assertEquals(text, Png.readText(file));
        BufferedImage back = ImageIO.read(file.toFile());
        assertEquals(Color.RED.getRGB(), back.getRGB(3, 3));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        assertTrue(assertThrows(dev.easel.engine.EngineException.class, () -> Png.readText(new byte[] {1, 2, 3}))
                .getMessage()
                .contains("not a PNG"));
    }

    @Test
    void outputsNumberFilesLikeA1111AndCarryTheParameters() throws Exception {
        Path first = Outputs.save(solid(8, 8, Color.BLUE), params("a", 42), dir);
        Path second = Outputs.save(solid(8, 8, Color.BLUE), params("b", 7), dir);
        assertEquals("00000-42.png", first.getFileName().toString());
        assertEquals("00001-7.png", second.getFileName().toString());
        assertEquals(
                params("b", 7), GenerationParameters.parse(Png.readText(second).get("parameters")));
    }

    @Test
    void generationRendersAsAGridWithATextSummary() throws Exception {
        Generation one = new Generation(List.of(solid(64, 64, Color.RED)), List.of(params("a red circle", 42)), 1.5);
        MimeBundle single = Renderers.global().render(one);
        BufferedImage shown = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode((String) single.data().get(MimeBundle.PNG))));
        assertEquals(64, shown.getWidth());
        assertTrue(
                single.plainText()
                        .startsWith("1 image 64x64 in 1.5 s · 20 steps Euler a · CFG 7 · seed 42\n"
                                + "prompt: a red circle\nnegative: blurry"),
                single.plainText());

        Generation four = new Generation(
                List.of(
                        solid(64, 64, Color.RED),
                        solid(64, 64, Color.GREEN),
                        solid(64, 64, Color.BLUE),
                        solid(64, 64, Color.BLACK)),
                List.of(params("p", 1), params("p", 2), params("p", 3), params("p", 4)),
                2);
        MimeBundle grid = Renderers.global().render(four);
        BufferedImage gridImage = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode((String) grid.data().get(MimeBundle.PNG))));
        assertEquals(2 * 64 + 3 * 6, gridImage.getWidth());
        assertTrue(gridImage.getHeight() > 2 * 64 + 3 * 6, "room for captions");
        assertEquals(Color.GREEN.getRGB(), gridImage.getRGB(6 + 64 + 6 + 10, 6 + 10));
        assertEquals(List.of(1L, 2L, 3L, 4L), four.seeds());
        List<Path> saved = four.save(dir.resolve("kept"));
        assertEquals(4, saved.size());
        assertTrue(four.toString().contains("saved: " + dir.resolve("kept") + " (4 files)"), four.toString());
    }

    @Test
    void pngInfoPrintsTheParametersBack() throws Exception {
        Path file = Outputs.save(solid(8, 8, Color.BLUE), params("a red circle", 42), dir);
        Magics magics = Magics.load(getClass().getClassLoader());
        MagicContext context = new FolderContext(dir);
        String out = Captured.out(() -> magics.run(call("%png_info " + file.getFileName()), context));
        assertEquals(params("a red circle", 42).toA1111() + "\n", out);

        assertTrue(assertThrows(MagicException.class, () -> magics.run(call("%png_info nope.png"), context))
                .getMessage()
                .startsWith("%png_info: no such file " + dir.resolve("nope.png")));
        Path plain = dir.resolve("plain.png");
        ImageIO.write(solid(4, 4, Color.RED), "png", plain.toFile());
        assertEquals(
                "%png_info: plain.png has no generation parameters",
                assertThrows(MagicException.class, () -> magics.run(call("%png_info plain.png"), context))
                        .getMessage());
    }

    static CellPart.MagicCall call(String line) {
        return (CellPart.MagicCall) CellParser.parse(line).get(0);
    }

    /** A context for magics that run no Java: only the working directory matters. */
    record FolderContext(Path workingDirectory) implements MagicContext {
        @Override
        public boolean runJava(String code) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String evalJava(String code) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addToClasspath(Path jarOrFolder) {
            throw new UnsupportedOperationException();
        }
    }
}
