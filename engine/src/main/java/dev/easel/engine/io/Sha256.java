package dev.easel.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 in lower-case hex, as {@code sha256sum} prints it: the one place Easel hashes files and text. */
public final class Sha256 {

    private Sha256() {}

    /** Of a whole file. */
    public static String of(Path file) throws IOException {
        return of(file, 0);
    }

    /** Of a file's bytes after the first {@code skip} (A1111 hashes a LoRA's tensor data, not its header). */
    public static String of(Path file, long skip) throws IOException {
        MessageDigest digest = digest();
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(skip);
            try (InputStream hashing = new DigestInputStream(in, digest)) {
                hashing.transferTo(OutputStream.nullOutputStream());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Of a text's UTF-8 bytes. */
    public static String of(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A fresh SHA-256 digest, for hashing a stream while it is copied. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
