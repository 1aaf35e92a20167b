package dev.easel.engine.embeddings;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * One textual-inversion embedding as shared: a token and its vectors [n, hidden] (n &gt; 1: a multi-vector
 * embedding). Read from A1111's {@code .safetensors} (key {@code emb_params}) or diffusers'
 * {@code learned_embeds.safetensors} (one key, the token it was trained for, [hidden] or [n, hidden]).
 */
public record TextualInversion(String token, NDArray vectors) {

    /** File types an embeddings folder is searched for. */
    public static final Set<String> EXTENSIONS = Set.of("safetensors", "pt", "bin");

    public int count() {
        return (int) vectors.getShape().get(0);
    }

    public long hiddenSize() {
        return vectors.getShape().get(1);
    }

    /**
     * Reads an embedding file. {@code token} null: the file name without extension, as A1111 names embeddings —
     * except for diffusers' {@code learned_embeds.*}, whose key is the token it was trained for (diffusers' default).
     */
    public static TextualInversion read(Path file, String token, NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new EngineException(file + ": embedding file not found");
        }
        String ext = extension(file);
        if (ext.equals("pt") || ext.equals("bin") || ext.equals("ckpt")) {
            throw new EngineException(file + ": pickled (.pt) embeddings cannot be read yet; use the .safetensors"
                    + " version of the embedding");
        }
        try (SafeTensors f = SafeTensors.open(file)) {
            if (f.contains("clip_l") || f.contains("clip_g")) {
                throw new EngineException(file + ": an SDXL embedding (keys clip_l / clip_g); this model is Stable"
                        + " Diffusion 1.x/2.x — use an embedding made for SD 1.5/2.x");
            }
            String key;
            if (f.contains("emb_params")) {
                key = "emb_params";
            } else if (f.keys().size() == 1) {
                key = f.keys().iterator().next();
            } else {
                throw new EngineException(file + ": not a textual-inversion embedding (no emb_params key and "
                        + f.keys().size() + " tensors; expected A1111's emb_params or diffusers' single token key)");
            }
            long[] shape = f.entry(key).shape();
            if (shape.length < 1 || shape.length > 2 || shape[shape.length - 1] < 1 || shape.length == 2 && shape[0] < 1) {
                throw new EngineException(file + ": tensor " + key + " has shape " + java.util.Arrays.toString(shape)
                        + "; an embedding is [vectors, hidden] or [hidden]");
            }
            NDArray v = f.read(key, manager, DataType.FLOAT32);
            NDArray vectors = shape.length == 1 ? v.reshape(1, shape[0]) : v;
            String name = token != null ? token
                    : !key.equals("emb_params") && baseName(file).startsWith("learned_embeds") ? key : baseName(file);
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new EngineException(file + ": the token '" + name + "' is empty or has spaces; give one with"
                        + " FILE:TOKEN / --token");
            }
            return new TextualInversion(name, vectors);
        }
    }

    static String baseName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    static String extension(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
