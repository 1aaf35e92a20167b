package dev.easel.engine.dreambooth;

import dev.easel.engine.BadValueException;
import dev.easel.engine.EngineException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The images of a DreamBooth subject (or its class images), read from a folder and prepared as diffusers'
 * train_dreambooth does: the shorter side resized to the model's resolution (bilinear), then a centre crop to a
 * square. Files are taken in name order so a run's data order is reproducible.
 */
public final class InstanceImages {

    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private InstanceImages() {}

    /**
     * Reads and prepares every image in {@code folder}.
     *
     * @throws EngineException one line naming the folder or file and what to do
     */
    public static List<BufferedImage> load(Path folder, int resolution) {
        List<Path> files = imageFiles(folder);
        if (files.isEmpty()) {
            throw new BadValueException(
                    "no images in " + folder + "; put 3–20 PNG or JPEG pictures of the " + "subject there");
        }
        List<BufferedImage> images = new ArrayList<>();
        for (Path file : files) {
            images.add(resizeAndCenterCrop(read(file), resolution));
        }
        return images;
    }

    /** The image files of {@code folder} in name order; an empty list if there are none. */
    public static List<Path> imageFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new BadValueException(folder + " is not a folder; pass the folder that holds the images");
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(Files::isRegularFile)
                    .filter(InstanceImages::isImageName)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new EngineException("cannot list " + folder + ": " + e.getMessage());
        }
    }

    public static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new EngineException(
                        file + " is not a readable image (PNG, JPEG, BMP or GIF); " + "remove it or convert it");
            }
            return image;
        } catch (IOException e) {
            throw new EngineException(file + " could not be read (" + e.getMessage() + "); remove or " + "replace it");
        }
    }

    /** Shorter side to {@code size} (bilinear), then the centre {@code size}×{@code size} square, as RGB. */
    public static BufferedImage resizeAndCenterCrop(BufferedImage image, int size) {
        double scale = (double) size / Math.min(image.getWidth(), image.getHeight());
        int width = Math.max(size, (int) Math.round(image.getWidth() * scale));
        int height = Math.max(size, (int) Math.round(image.getHeight() * scale));
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(image, -(width - size) / 2, -(height - size) / 2, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The image mirrored left to right (the optional flip augmentation). */
    public static BufferedImage flipped(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                out.setRGB(image.getWidth() - 1 - x, y, image.getRGB(x, y));
            }
        }
        return out;
    }

    private static boolean isImageName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
