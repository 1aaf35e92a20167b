package dev.easel.renderers;

import dev.easel.Generation;
import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;
import dev.easel.display.renderers.ImageRenderer;
import java.awt.image.BufferedImage;
import java.util.Base64;
import java.util.Map;

/** Shows a {@link Generation} inline: the image grid as PNG, and a text summary for consoles. */
public final class GenerationRenderer implements Renderer<Generation> {

    @Override
    public Class<Generation> type() {
        return Generation.class;
    }

    @Override
    public MimeBundle render(Generation value) {
        BufferedImage grid = value.grid();
        return MimeBundle.of(
                        MimeBundle.PNG, Base64.getEncoder().encodeToString(ImageRenderer.png(grid)), value.toString())
                .withMetadata(MimeBundle.PNG, Map.of("width", grid.getWidth(), "height", grid.getHeight()));
    }
}
