package dev.easel.engine.pipeline;

import dev.easel.engine.EngineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A1111's short hashes: the first 10 hex digits of a checkpoint file's SHA-256 ("Model hash") and the first 12 of a
 * LoRA file's ("Lora hashes"). Hashing a 2–4 GB checkpoint takes seconds, so results are kept per path, size and
 * modification time.
 */
public final class ModelHash {

    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private ModelHash() {
    }

    /** The full SHA-256 of a file, hex. */
    public static String sha256(Path file) {
        try {
            String key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file);
            return CACHE.computeIfAbsent(key, k -> digest(file));
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
        return sha256(lora).substring(0, 12);
    }

    private static String digest(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read it to hash it: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
