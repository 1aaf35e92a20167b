package dev.easel.engine.inpaint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.Reference;
import dev.easel.engine.cli.GenerateCommand;
import dev.easel.engine.io.Png;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A1111's extras around inpainting: pixels outside the mask stay the original's, inversion, only-masked, notes. */
class InpainterTest {

    @TempDir
    Path dir;

    static BufferedImage picture(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.CYAN);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.MAGENTA);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return image;
    }

    /** White in the given rectangle, black elsewhere. */
    static BufferedImage mask(int w, int h, Rectangle white) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.fill(white);
        g.dispose();
        return mask;
    }

    static boolean outsideEqual(BufferedImage a, BufferedImage b, Rectangle inside) {
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (!inside.contains(x, y) && (a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void onlyTheMaskedPixelsChangeInBothAreasAndInverted() {
        GenerationSettings s = GenerationSettings.builder()
                .prompt("a red circle")
                .steps(2)
                .seed(3)
                .size(32, 32)
                .build();
        BufferedImage image = picture(32, 32);
        Rectangle hole = new Rectangle(8, 8, 10, 10);
        try (StableDiffusionPipeline pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            for (boolean onlyMasked : new boolean[] {false, true}) {
                List<String> notes = new ArrayList<>();
                GenerationResult r = Inpainter.run(
                        pipe,
                        s,
                        image,
                        mask(32, 32, hole),
                        1.0,
                        new InpaintOptions(0, onlyMasked, 4, false),
                        null,
                        null,
                        notes);
                BufferedImage out = r.images().get(0);
                assertTrue(outsideEqual(image, out, hole), "outside the mask: the original, only masked " + onlyMasked);
                assertTrue(!outsideEqual(image, out, new Rectangle()), "inside: repainted");
                assertEquals(List.of(), notes);
            }
            // inverted: the hole is kept, the rest repainted; a mask of another size is resized with a note
            List<String> notes = new ArrayList<>();
            BufferedImage out = Inpainter.run(
                            pipe,
                            s,
                            image,
                            mask(64, 64, new Rectangle(16, 16, 20, 20)),
                            1.0,
                            new InpaintOptions(0, false, 0, true),
                            null,
                            null,
                            notes)
                    .images()
                    .get(0);
            assertEquals(List.of("the mask is 64x64 and the image 32x32; the mask was resized to the image"), notes);
            // the hole is 8..17 at 32x32; Lanczos (as PIL) softens the resized mask's edges up to 3 pixels in, as in
            // A1111, so the pixels kept exactly are those further inside
            for (int y = 11; y < 15; y++) {
                for (int x = 11; x < 15; x++) {
                    assertEquals(image.getRGB(x, y), out.getRGB(x, y));
                }
            }
        }
        assertEquals(new Rectangle(4, 4, 18, 18), Inpainter.maskedArea(mask(32, 32, hole), 4, 32, 32));
        assertEquals(
                new Rectangle(0, 4, 32, 18),
                Inpainter.maskedArea(mask(32, 32, hole), 4, 64, 32),
                "widened toward the generation's 2:1 as far as the image allows");
    }

    @Test
    void commandLineInpaintsAndSaysWhatIsWrongInOneLine() throws Exception {
        Path image = dir.resolve("image.png");
        Path mask = dir.resolve("mask.png");
        Png.write(picture(64, 64), Map.of(), image);
        Png.write(mask(64, 64, new Rectangle(20, 20, 24, 24)), Map.of(), mask);
        Path out = dir.resolve("out.png");
        String err = stderrOf(() -> assertEquals(
                0,
                new GenerateCommand.Inpaint()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a red circle",
                                "--init-image",
                                image.toString(),
                                "--mask",
                                mask.toString(),
                                "--mask-blur",
                                "2",
                                "--inpaint-area",
                                "masked",
                                "--invert-mask",
                                "--steps",
                                "2",
                                "--seed",
                                "1",
                                "--out",
                                out.toString()))));
        assertTrue(err.isBlank(), err);
        assertTrue(Png.readText(out).get("parameters").contains("Denoising strength: 1"));
        Path text = Files.writeString(dir.resolve("mask.txt"), "not an image");
        err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand.Inpaint()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "x",
                                "--init-image",
                                image.toString(),
                                "--mask",
                                text.toString(),
                                "--out",
                                out.toString()))));
        assertEquals("inpaint: " + text + ": not a readable image (PNG, JPEG, BMP, GIF)", err.strip());
    }

    private static String stderrOf(Runnable action) {
        PrintStream old = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
