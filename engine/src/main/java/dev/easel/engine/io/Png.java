package dev.easel.engine.io;

import dev.easel.engine.EngineException;
import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.InflaterInputStream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * PNG files with text chunks, as AUTOMATIC1111 writes them (Pillow's {@code PngInfo}): {@code tEXt} when the text is
 * Latin-1, {@code iTXt} (UTF-8) otherwise, so prompts in any script survive; reading understands {@code tEXt},
 * {@code zTXt} and {@code iTXt}. Files are written atomically (a temporary file in the same folder, then a rename),
 * so a crash never leaves half an image. Failures are one-line {@link EngineException}s naming the file.
 */
public final class Png {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Signature + the IHDR chunk: text chunks go right after it. */
    private static final int IHDR_END = 8 + 4 + 4 + 13 + 4;

    private Png() {}

    /** PNG bytes of {@code image} with {@code textChunks} right after the header. */
    public static byte[] encode(RenderedImage image, Map<String, String> textChunks) {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", plain)) {
                throw new EngineException("no PNG writer available in this JVM");
            }
        } catch (IOException e) {
            throw new EngineException("PNG encoding failed: " + e.getMessage());
        }
        byte[] png = plain.toByteArray();
        if (textChunks == null || textChunks.isEmpty()) {
            return png;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 512);
        out.write(png, 0, IHDR_END);
        textChunks.forEach((key, value) -> writeTextChunk(out, key, value));
        out.write(png, IHDR_END, png.length - IHDR_END);
        return out.toByteArray();
    }

    /** Writes {@code image} with text chunks to {@code file}, atomically. */
    public static void write(RenderedImage image, Map<String, String> textChunks, Path file) {
        byte[] bytes = encode(image, textChunks);
        try {
            AtomicFile.write(file, bytes);
        } catch (IOException e) {
            throw new EngineException(file + ": cannot write PNG (" + e.getMessage() + ")");
        }
    }

    /** The text chunks of a PNG file, in file order. */
    public static Map<String, String> readText(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readText(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new EngineException(file + ": file not found");
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read PNG (" + e.getMessage() + ")");
        }
    }

    /** The text chunks of PNG data, in order. */
    public static Map<String, String> readText(byte[] png) {
        try {
            return readText(new ByteArrayInputStream(png), "the PNG data");
        } catch (IOException e) {
            throw new EngineException("the PNG data: " + e.getMessage());
        }
    }

    /** The width and height of an image file, from its header: nothing is decoded. */
    public static Dimension size(Path file) {
        if (!Files.exists(file)) {
            throw new EngineException(file + ": file not found");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new EngineException(file + ": not a readable image (PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new Dimension(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read image (" + e.getMessage() + ")");
        }
    }

    /** Reads an image (PNG, JPEG, …). */
    public static BufferedImage read(Path file) {
        try {
            if (!Files.exists(file)) {
                throw new EngineException(file + ": file not found");
            }
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new EngineException(file + ": not a readable image");
            }
            return img;
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read image (" + e.getMessage() + ")");
        }
    }

    private static Map<String, String> readText(InputStream raw, String name) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] signature = in.readNBytes(8);
        if (!Arrays.equals(signature, SIGNATURE)) {
            throw new EngineException(name + ": not a PNG file");
        }
        Map<String, String> text = new LinkedHashMap<>();
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                return text; // no IEND: take what was there
            }
            if (length < 0) {
                throw new EngineException(name + ": corrupt PNG chunk length");
            }
            String kind = new String(in.readNBytes(4), StandardCharsets.ISO_8859_1);
            if (kind.equals("IEND")) {
                return text;
            }
            if (kind.equals("tEXt") || kind.equals("zTXt") || kind.equals("iTXt")) {
                byte[] data = in.readNBytes(length);
                if (data.length < length) {
                    throw new EngineException(name + ": truncated PNG");
                }
                in.skipNBytes(4); // CRC
                decode(kind, data, text);
            } else {
                in.skipNBytes(length + 4L);
            }
        }
    }

    private static void decode(String kind, byte[] data, Map<String, String> text) throws IOException {
        int zero = indexOfZero(data, 0);
        if (zero < 0) {
            return;
        }
        String key = new String(data, 0, zero, StandardCharsets.ISO_8859_1);
        switch (kind) {
            case "tEXt" ->
                text.put(key, new String(data, zero + 1, data.length - zero - 1, StandardCharsets.ISO_8859_1));
            case "zTXt" -> text.put(key, new String(inflate(data, zero + 2), StandardCharsets.ISO_8859_1));
            default -> {
                boolean compressed = data[zero + 1] == 1;
                int languageEnd = indexOfZero(data, zero + 3);
                int translatedEnd = indexOfZero(data, languageEnd + 1);
                int start = translatedEnd + 1;
                byte[] body = compressed ? inflate(data, start) : Arrays.copyOfRange(data, start, data.length);
                text.put(key, new String(body, StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] inflate(byte[] data, int from) throws IOException {
        try (InflaterInputStream in =
                new InflaterInputStream(new ByteArrayInputStream(data, from, data.length - from))) {
            return in.readAllBytes();
        }
    }

    private static int indexOfZero(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static void writeTextChunk(ByteArrayOutputStream out, String key, String value) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(key.getBytes(StandardCharsets.ISO_8859_1));
        body.write(0);
        if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(value)) {
            body.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
            chunk(out, "tEXt", body.toByteArray());
        } else {
            body.write(0); // not compressed
            body.write(0); // compression method
            body.write(0); // empty language tag
            body.write(0); // empty translated keyword
            body.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            chunk(out, "iTXt", body.toByteArray());
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
