package dev.easel.engine.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reading the models' {@code config.json} files, strictly: a value of the wrong type or out of range is an error
 * naming the file, the key, the value and what is expected — never read as 0 and left for the weights to fail on.
 * A key that is absent (or null) takes the default diffusers' class would use.
 */
public final class Configs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SHOWN_VALUE = 40;

    private Configs() {}

    /** Reads {@code file} and parses it with {@code parser}; any error of the parser is prefixed with the file. */
    public static <T> T read(Path file, Function<JsonNode, T> parser) {
        JsonNode node = read(file);
        try {
            return parser.apply(node);
        } catch (EngineException e) {
            throw new EngineException(file + ": " + e.getMessage(), e);
        }
    }

    public static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new EngineException(file + ": file not found");
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new EngineException(file + ": not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new EngineException(file + ": invalid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** A positive whole number or a list of them (diffusers accepts either for per-block values). */
    public static int[] positiveInts(JsonNode n, String key, int[] dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isArray() && !(isWhole(v) && v.asLong() > 0 && v.asLong() <= Integer.MAX_VALUE)) {
            throw invalid(key, v, "a positive whole number or a list of them");
        }
        if (!v.isArray()) {
            return new int[] {v.asInt()};
        }
        if (v.isEmpty()) {
            throw invalid(key, v, "a non-empty list of positive whole numbers");
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!isWhole(e) || e.asLong() <= 0 || e.asLong() > Integer.MAX_VALUE) {
                throw invalid(key, v, "a list of positive whole numbers");
            }
            out[i] = e.asInt();
        }
        return out;
    }

    public static String[] strings(JsonNode n, String key, String[] dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw invalid(key, v, "a non-empty list of strings");
        }
        String[] out = new String[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isTextual()) {
                throw invalid(key, v, "a list of strings");
            }
            out[i] = v.get(i).asText();
        }
        return out;
    }

    /** A whole number ≥ 0. */
    public static int count(JsonNode n, String key, int dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!isWhole(v) || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
            throw invalid(key, v, "a whole number ≥ 0");
        }
        return v.asInt();
    }

    /** A whole number ≥ 1. */
    public static int positive(JsonNode n, String key, int dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : positive(key, v);
    }

    private static int positive(String key, JsonNode v) {
        if (!isWhole(v) || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw invalid(key, v, "a positive whole number");
        }
        return v.asInt();
    }

    /** Any whole number (token ids, offsets). */
    public static int integer(JsonNode n, String key, int dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!isWhole(v) || v.asLong() < Integer.MIN_VALUE || v.asLong() > Integer.MAX_VALUE) {
            throw invalid(key, v, "a whole number");
        }
        return v.asInt();
    }

    /** A finite number greater than 0. */
    public static double positiveNumber(JsonNode n, String key, double dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() <= 0) {
            throw invalid(key, v, "a number greater than 0");
        }
        return v.asDouble();
    }

    public static boolean bool(JsonNode n, String key, boolean dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw invalid(key, v, "true or false");
        }
        return v.asBoolean();
    }

    public static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw invalid(key, v, "a string");
        }
        return v.asText();
    }

    /** One of {@code allowed} (case as written in diffusers' configs). */
    public static String choice(JsonNode n, String key, String dflt, String... allowed) {
        String value = text(n, key, dflt);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw invalid(key, n.get(key), "one of " + String.join(", ", allowed));
    }

    /** Fails unless {@code groups} divides every one of {@code channels} (group norm's requirement). */
    public static void requireDivides(String groupsKey, int groups, String channelsKey, int[] channels) {
        for (int c : channels) {
            if (c % groups != 0) {
                throw new EngineException(groupsKey + " is " + groups + ", which does not divide " + channelsKey + " "
                        + c + "; expected a divisor of every " + channelsKey + " (32 in Stable Diffusion)");
            }
        }
    }

    /** Fails unless {@code key} lists one value per block ({@code blocks} of them). */
    public static void requireLength(String key, int length, int blocks, String blocksKey) {
        if (length != blocks) {
            throw new EngineException(
                    key + " has " + length + " entries; expected " + blocks + ", one per entry of " + blocksKey);
        }
    }

    private static boolean isWhole(JsonNode v) {
        return v.isIntegralNumber()
                || v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) && Double.isFinite(v.asDouble());
    }

    static EngineException invalid(String key, JsonNode value, String expected) {
        String shown = String.valueOf(value);
        if (shown.length() > MAX_SHOWN_VALUE) {
            shown = shown.substring(0, MAX_SHOWN_VALUE) + "…";
        }
        return new EngineException("\"" + key + "\" is " + shown + "; expected " + expected);
    }
}
