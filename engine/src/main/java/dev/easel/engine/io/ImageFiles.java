package dev.easel.engine.io;

import dev.easel.engine.EngineException;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes an image in the format its file name asks for, with its text (the A1111 parameters) in that format's
 * metadata: PNG text chunks ({@link Png}), or for {@code .jpg}/{@code .jpeg} a JPEG comment, which A1111 and Pillow
 * read as the image's {@code comment}. Any other extension is refused in one line rather than written as PNG bytes
 * under a name that says otherwise.
 */
public final class ImageFiles {

    /** The extensions {@link #write} understands. */
    public static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private static final float JPEG_QUALITY = 0.95f;

    private ImageFiles() {}

    /** Refuses a file name whose extension is not written, before any work is done. */
    public static void checkWritable(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (EXTENSIONS.stream().noneMatch(name::endsWith)) {
            int dot = name.lastIndexOf('.');
            throw new EngineException(file + ": " + (dot < 0 ? "no extension" : name.substring(dot) + " is not written")
                    + "; name it .png (parameters in a text chunk) or .jpg (parameters in a comment)");
        }
    }

    /** Writes {@code image} to {@code file} (atomically) as its extension says, with {@code text}. */
    public static void write(RenderedImage image, Map<String, String> text, Path file) {
        checkWritable(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            Png.write(image, text, file);
            return;
        }
        try {
            AtomicFile.write(file, jpeg(image, String.join("\n", text.values())));
        } catch (IOException e) {
            throw new EngineException(file + ": cannot write JPEG (" + e.getMessage() + ")");
        }
    }

    private static byte[] jpeg(RenderedImage image, String comment) throws IOException {
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.createGraphics().drawRenderedImage(image, null); // JPEG has no alpha
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new EngineException("no JPEG writer available in this JVM");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            IIOMetadata metadata =
                    writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(rgb), param);
            if (!comment.isEmpty()) {
                addComment(metadata, comment);
            }
            writer.write(null, new IIOImage(rgb, null, metadata), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A COM marker in the JPEG's marker sequence (javax_imageio_jpeg_image_1.0). */
    private static void addComment(IIOMetadata metadata, String comment) throws IIOInvalidTreeException {
        String format = "javax_imageio_jpeg_image_1.0";
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
        IIOMetadataNode sequence =
                (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
        IIOMetadataNode com = new IIOMetadataNode("com");
        com.setUserObject(comment.getBytes(StandardCharsets.UTF_8));
        sequence.insertBefore(com, sequence.getFirstChild());
        metadata.setFromTree(format, root);
    }

    /** The comment of a JPEG file (what {@link #write} stored), or null. */
    public static String jpegComment(Path file) {
        try (var in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            javax.imageio.ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                IIOMetadataNode root =
                        (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_jpeg_image_1.0");
                var coms = root.getElementsByTagName("com");
                if (coms.getLength() == 0) {
                    return null;
                }
                Object value = ((IIOMetadataNode) coms.item(0)).getUserObject();
                return value instanceof byte[] b
                        ? new String(b, StandardCharsets.UTF_8)
                        : ((IIOMetadataNode) coms.item(0)).getAttribute("comment");
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read JPEG (" + e.getMessage() + ")");
        }
    }
}
