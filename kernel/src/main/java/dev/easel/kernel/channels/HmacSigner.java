package dev.easel.kernel.channels;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 message signatures over header, parent header, metadata and content. An empty key disables signing
 * (the spec's rule); verification compares in constant time.
 */
public final class HmacSigner {

    private final SecretKeySpec key;

    public HmacSigner(String key, String scheme) {
        if (scheme != null && !scheme.isEmpty() && !scheme.equals("hmac-sha256")) {
            throw new IllegalArgumentException("unsupported signature scheme " + scheme + "; use hmac-sha256");
        }
        this.key = key == null || key.isEmpty()
                ? null
                : new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public boolean enabled() {
        return key != null;
    }

    /** The hex signature of the four frames, or "" when signing is off. */
    public String sign(byte[]... parts) {
        if (key == null) {
            return "";
        }
        return HexFormat.of().formatHex(mac(parts));
    }

    /** True when {@code signature} (hex, as sent) matches the frames; always true when signing is off. */
    public boolean verify(byte[] signature, byte[]... parts) {
        if (key == null) {
            return true;
        }
        byte[] expected = sign(parts).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature);
    }

    private byte[] mac(byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
