package dev.easel.engine.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.EngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the models' {@code config.json} files. */
public final class Configs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Configs() {
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

    static int[] ints(JsonNode n, String key, int[] dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isArray()) {
            return new int[] {v.asInt()};
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).asInt();
        }
        return out;
    }

    static String[] strings(JsonNode n, String key, String[] dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull() || !v.isArray()) {
            return dflt;
        }
        String[] out = new String[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).asText();
        }
        return out;
    }

    static int integer(JsonNode n, String key, int dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asInt();
    }

    static double number(JsonNode n, String key, double dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asDouble();
    }

    static boolean bool(JsonNode n, String key, boolean dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asBoolean();
    }

    static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }
}
