package dev.easel.notebook;

import java.awt.image.RenderedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.InflaterInputStream;
import javax.imageio.ImageIO;

/**
 * PNG files with text chunks, as A1111 writes them (Pillow's {@code PngInfo}): {@code tEXt} when the text is
 * Latin-1, {@code iTXt} (UTF-8) otherwise — so prompts in any script survive. Reading understands {@code tEXt},
 * {@code zTXt} and {@code iTXt}. Files are written atomically: a temporary file in the same folder, then a rename.
 */
public final class PngText {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int IHDR_END = 8 + 4 + 4 + 13 + 4;

    private PngText() {
    }

    /** PNG bytes of {@code image} with {@code text} chunks right after the header. */
    public static byte[] encode(RenderedImage image, Map<String, String> text) {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", plain)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the image as PNG: " + e.getMessage(), e);
        }
        byte[] png = plain.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 512);
        out.write(png, 0, IHDR_END);
        text.forEach((key, value) -> writeTextChunk(out, key, value));
        out.write(png, IHDR_END, png.length - IHDR_END);
        return out.toByteArray();
    }

    /** Writes {@code image} to {@code file} with text chunks, atomically. */
    public static void write(RenderedImage image, Map<String, String> text, Path file) throws IOException {
        byte[] bytes = encode(image, text);
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, "." + file.getFileName(), ".part");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The text chunks of a PNG file, in file order. */
    public static Map<String, String> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    public static Map<String, String> read(byte[] png) throws IOException {
        return read(new ByteArrayInputStream(png), "the PNG data");
    }

    private static Map<String, String> read(InputStream raw, String name) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] signature = new byte[8];
        try {
            in.readFully(signature);
        } catch (EOFException e) {
            throw new IOException(name + " is not a PNG file (too short)");
        }
        if (!Arrays.equals(signature, SIGNATURE)) {
            throw new IOException(name + " is not a PNG file");
        }
        Map<String, String> text = new LinkedHashMap<>();
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                return text;
            }
            byte[] type = new byte[4];
            in.readFully(type);
            String kind = new String(type, StandardCharsets.ISO_8859_1);
            if (kind.equals("IEND")) {
                return text;
            }
            if (kind.equals("tEXt") || kind.equals("zTXt") || kind.equals("iTXt")) {
                byte[] data = new byte[length];
                in.readFully(data);
                in.skipNBytes(4);
                decode(kind, data, text);
            } else {
                in.skipNBytes(length + 4L);
            }
        }
    }

    private static void decode(String kind, byte[] data, Map<String, String> text) throws IOException {
        int zero = indexOf(data, 0);
        if (zero < 0) {
            return;
        }
        String key = new String(data, 0, zero, StandardCharsets.ISO_8859_1);
        switch (kind) {
            case "tEXt" -> text.put(key, new String(data, zero + 1, data.length - zero - 1, StandardCharsets.ISO_8859_1));
            case "zTXt" -> text.put(key, new String(inflate(data, zero + 2), StandardCharsets.ISO_8859_1));
            default -> {
                boolean compressed = data[zero + 1] == 1;
                int languageEnd = indexOf(data, zero + 3);
                int translatedEnd = indexOf(data, languageEnd + 1);
                int start = translatedEnd + 1;
                byte[] body = compressed ? inflate(data, start) : Arrays.copyOfRange(data, start, data.length);
                text.put(key, new String(body, StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] inflate(byte[] data, int from) throws IOException {
        try (InflaterInputStream in = new InflaterInputStream(
                new ByteArrayInputStream(data, from, data.length - from))) {
            return in.readAllBytes();
        }
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static void writeTextChunk(ByteArrayOutputStream out, String key, String value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.ISO_8859_1);
        boolean latin1 = StandardCharsets.ISO_8859_1.newEncoder().canEncode(value);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(keyBytes);
        body.write(0);
        if (latin1) {
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
