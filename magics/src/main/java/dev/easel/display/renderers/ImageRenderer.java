package dev.easel.display.renderers;

import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;

/** A {@link RenderedImage} (e.g. {@code BufferedImage}) → image/png, base64 as the protocol wants. */
public final class ImageRenderer implements Renderer<RenderedImage> {

    @Override
    public Class<RenderedImage> type() {
        return RenderedImage.class;
    }

    @Override
    public MimeBundle render(RenderedImage image) {
        String text = "Image " + image.getWidth() + "×" + image.getHeight();
        return MimeBundle.of(MimeBundle.PNG, Base64.getEncoder().encodeToString(png(image)), text)
                .withMetadata(MimeBundle.PNG, Map.of("width", image.getWidth(), "height", image.getHeight()));
    }

    /** PNG bytes of {@code image}. */
    public static byte[] png(RenderedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the image as PNG: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }
}
