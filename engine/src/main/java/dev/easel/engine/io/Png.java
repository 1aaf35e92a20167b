package dev.easel.engine.io;

import dev.easel.engine.EngineException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * PNG files with {@code tEXt} chunks (A1111 stores its generation parameters under the key {@code parameters}).
 * Writing goes through a temporary file and a rename, so a reader never sees half a file.
 */
public final class Png {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private Png() {
    }

    /** PNG bytes of the image with the given text chunks right after IHDR (Latin-1 keys and values). */
    public static byte[] encode(BufferedImage image, Map<String, String> textChunks) {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", plain)) {
                throw new EngineException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new EngineException("PNG encoding failed: " + e.getMessage());
        }
        byte[] png = plain.toByteArray();
        if (textChunks == null || textChunks.isEmpty()) {
            return png;
        }
        // IHDR is always the first chunk: 8 signature + 4 length + 4 type + 13 data + 4 crc = 33 bytes.
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 256);
        out.write(png, 0, 33);
        for (Map.Entry<String, String> e : textChunks.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            byte[] value = e.getValue().getBytes(StandardCharsets.ISO_8859_1);
            byte[] body = new byte[key.length + 1 + value.length];
            System.arraycopy(key, 0, body, 0, key.length);
            System.arraycopy(value, 0, body, key.length + 1, value.length);
            writeChunk(out, "tEXt", body);
        }
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    /** Writes the image atomically (temp file in the same folder, then rename). */
    public static void write(BufferedImage image, Map<String, String> textChunks, Path file) {
        byte[] bytes = encode(image, textChunks);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path tmp = Files.createTempFile(parent, ".png-", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EngineException(file + ": cannot write PNG (" + e.getMessage() + ")");
        }
    }

    /** The {@code tEXt} chunks of a PNG file, in file order. */
    public static Map<String, String> readText(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] sig = in.readNBytes(8);
            if (!java.util.Arrays.equals(sig, SIGNATURE)) {
                throw new EngineException(file + ": not a PNG file");
            }
            while (true) {
                int len = in.readInt();
                byte[] type = in.readNBytes(4);
                String t = new String(type, StandardCharsets.US_ASCII);
                if (len < 0) {
                    throw new EngineException(file + ": corrupt PNG chunk length");
                }
                byte[] body = in.readNBytes(len);
                in.readInt(); // crc
                if (body.length < len) {
                    throw new EngineException(file + ": truncated PNG");
                }
                if (t.equals("tEXt")) {
                    int z = 0;
                    while (z < body.length && body[z] != 0) {
                        z++;
                    }
                    String key = new String(body, 0, z, StandardCharsets.ISO_8859_1);
                    String value = z + 1 <= body.length
                            ? new String(body, Math.min(z + 1, body.length), Math.max(0, body.length - z - 1),
                            StandardCharsets.ISO_8859_1) : "";
                    out.put(key, value);
                }
                if (t.equals("IEND")) {
                    break;
                }
            }
        } catch (NoSuchFileException e) {
            throw new EngineException(file + ": file not found");
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read PNG (" + e.getMessage() + ")");
        }
        return out;
    }

    /** Reads an image (PNG, JPEG, …) as a BufferedImage. */
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

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] body) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
        out.writeBytes(t);
        out.writeBytes(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
