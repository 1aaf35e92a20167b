package dev.easel.engine.dreambooth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.BadValueException;
import dev.easel.engine.EngineException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceImagesTest {

    @TempDir
    Path folder;

    @Test
    void anySizeBecomesACentredSquareAtTheModelsResolution() throws Exception {
        // 200×100: red left quarter, green middle half, blue right quarter. The centre crop keeps only green.
        BufferedImage wide = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = wide.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 50, 100);
        g.setColor(Color.GREEN);
        g.fillRect(50, 0, 100, 100);
        g.setColor(Color.BLUE);
        g.fillRect(150, 0, 50, 100);
        g.dispose();
        ImageIO.write(wide, "png", folder.resolve("b.png").toFile());
        ImageIO.write(
                new BufferedImage(30, 90, BufferedImage.TYPE_INT_RGB),
                "png",
                folder.resolve("a.png").toFile());
        Files.writeString(folder.resolve("notes.txt"), "not an image, not picked up");

        List<BufferedImage> images = InstanceImages.load(folder, 64);
        assertEquals(2, images.size());
        images.forEach(image -> assertEquals(List.of(64, 64), List.of(image.getWidth(), image.getHeight())));
        BufferedImage cropped = images.get(1);
        assertEquals(Color.GREEN.getRGB(), cropped.getRGB(1, 32));
        assertEquals(Color.GREEN.getRGB(), cropped.getRGB(62, 32));
        BufferedImage flipped = InstanceImages.flipped(cropped);
        assertEquals(cropped.getRGB(0, 5), flipped.getRGB(63, 5));
    }

    @Test
    void badFoldersAndFilesGetOneLineErrors() throws Exception {
        EngineException e = assertThrows(BadValueException.class, () -> InstanceImages.load(folder, 64));
        assertTrue(e.getMessage().startsWith("no images in " + folder), e.getMessage());
        e = assertThrows(BadValueException.class, () -> InstanceImages.load(folder.resolve("missing"), 64));
        assertTrue(e.getMessage().endsWith("is not a folder; pass the folder that holds the images"));
        Files.writeString(folder.resolve("broken.png"), "this is not a PNG");
        e = assertThrows(EngineException.class, () -> InstanceImages.load(folder, 64));
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }
}
