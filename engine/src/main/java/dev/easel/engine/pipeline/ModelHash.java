package dev.easel.engine.pipeline;

import dev.easel.engine.EngineException;
import dev.easel.engine.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A1111's short hashes: the first 10 hex digits of a checkpoint file's SHA-256 ("Model hash") and the first 12 of a
 * LoRA's ("Lora hashes"). A1111 hashes a {@code .safetensors} LoRA as the kohya "additional networks" extension did:
 * the SHA-256 of the tensor data after the header, so editing the metadata keeps the hash; other files whole.
 * Hashing a 2–4 GB checkpoint takes seconds, so results are kept per path, size and modification time.
 */
public final class ModelHash {

    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private ModelHash() {}

    /** The full SHA-256 of a file, hex. */
    public static String sha256(Path file) {
        try {
            return CACHE.computeIfAbsent(key(file, "file"), k -> digest(file, 0));
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read it to hash it: " + e.getMessage());
        }
    }

    /** A1111's "Model hash" of a checkpoint file; null for a folder (A1111 hashes single files only). */
    public static String shortHash(Path model) {
        return Files.isRegularFile(model) ? sha256(model).substring(0, 10) : null;
    }

    /** A1111's short hash of a LoRA file (12 hex digits). */
    public static String loraHash(Path lora) {
        if (!lora.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            return sha256(lora).substring(0, 12);
        }
        try {
            long start = tensorDataStart(lora);
            return CACHE.computeIfAbsent(key(lora, "addnet"), k -> digest(lora, start))
                    .substring(0, 12);
        } catch (IOException e) {
            throw new EngineException(lora + ": cannot read it to hash it: " + e.getMessage());
        }
    }

    private static String key(Path file, String kind) throws IOException {
        return kind + "|" + file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file);
    }

    /** Where a safetensors file's tensor data starts: after its 8-byte header length and the header. */
    private static long tensorDataStart(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] length = in.readNBytes(8);
            long header = length.length < 8
                    ? -1
                    : ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (header < 0 || header > Files.size(file) - 8) {
                throw new EngineException(
                        file + ": not a safetensors file (its header length " + header + " does not fit the file)");
            }
            return 8 + header;
        }
    }

    private static String digest(Path file, long skip) {
        try {
            return Sha256.of(file, skip);
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read it to hash it: " + e.getMessage());
        }
    }
}
