package dev.easel.display;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What Jupyter shows for one value: MIME type → data (a String — base64 for binary types — or a JSON-able value),
 * plus per-type metadata (e.g. image width). Always carries {@code text/plain} so text-only clients such as
 * {@code jupyter console} show something.
 */
public record MimeBundle(Map<String, Object> data, Map<String, Object> metadata) {

    public static final String TEXT = "text/plain";
    public static final String HTML = "text/html";
    public static final String MARKDOWN = "text/markdown";
    public static final String PNG = "image/png";

    public MimeBundle {
        data = Map.copyOf(data);
        metadata = Map.copyOf(metadata);
        if (!data.containsKey(TEXT)) {
            throw new IllegalArgumentException("a MimeBundle needs a text/plain form, got only " + data.keySet());
        }
    }

    public static MimeBundle text(String text) {
        return new MimeBundle(Map.of(TEXT, text), Map.of());
    }

    /** A bundle with the given type and data, and {@code plainText} as its text/plain fallback. */
    public static MimeBundle of(String mimeType, Object value, String plainText) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(mimeType, Objects.requireNonNull(value));
        data.putIfAbsent(TEXT, plainText);
        return new MimeBundle(data, Map.of());
    }

    /** The same bundle with another text/plain form. */
    public MimeBundle withPlainText(String text) {
        Map<String, Object> replaced = new LinkedHashMap<>(data);
        replaced.put(TEXT, text);
        return new MimeBundle(replaced, metadata);
    }

    public MimeBundle withMetadata(String mimeType, Object value) {
        Map<String, Object> meta = new LinkedHashMap<>(metadata);
        meta.put(mimeType, value);
        return new MimeBundle(data, meta);
    }

    public String plainText() {
        return String.valueOf(data.get(TEXT));
    }
}
