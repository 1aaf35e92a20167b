package dev.easel.engine.pipeline;

import dev.easel.engine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A1111's short hashes: the first 10 hex digits of a checkpoint file's SHA-256 ("Model hash") and the first 12 of a
 * LoRA's ("Lora hashes"). A1111 hashes a {@code .safetensors} LoRA as the kohya "additional networks" extension did:
 * the SHA-256 of the tensor data after the header, so editing the metadata keeps the hash; other files whole.
 * Hashing a 2–4 GB checkpoint takes seconds, so results are kept per path, size and modification time, in memory and
 * on disk across processes ({@link HashCache}).
 */
public final class ModelHash {

    private static final HashCache CACHE = HashCache.forUser();

    private ModelHash() {}

    /** The full SHA-256 of a file, hex. */
    public static String sha256(Path file) {
        try {
            return CACHE.sha256(file, "file", 0);
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
            return CACHE.sha256(lora, "addnet", tensorDataStart(lora)).substring(0, 12);
        } catch (IOException e) {
            throw new EngineException(lora + ": cannot read it to hash it: " + e.getMessage());
        }
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
}
