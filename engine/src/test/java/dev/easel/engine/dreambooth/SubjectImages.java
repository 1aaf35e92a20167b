package dev.easel.engine.dreambooth;

import dev.easel.engine.shapes.ShapesDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** A DreamBooth instance folder for tests: {@code count} 64×64 shape scenes as PNG files. */
public final class SubjectImages {

    private SubjectImages() {}

    /** Writes the first {@code count} scenes of a shapes dataset of {@code kinds} kinds into {@code folder}. */
    public static Path write(Path folder, int kinds, int count) throws IOException {
        Path dir = Files.createDirectories(folder);
        ShapesDataset shapes = new ShapesDataset(kinds, 64);
        for (int i = 0; i < count; i++) {
            ImageIO.write(
                    shapes.image(shapes.scene(i)),
                    "png",
                    dir.resolve("subject-" + i + ".png").toFile());
        }
        return dir;
    }
}
