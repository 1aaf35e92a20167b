package dev.easel.engine.embeddings;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.weights.TensorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One textual-inversion embedding as shared: a token and its vectors [n, hidden] (n &gt; 1: a multi-vector
 * embedding). Read from A1111's {@code .safetensors} (key {@code emb_params}) or {@code .pt} (a pickled
 * {@code {"string_to_param": {"*": vectors}, "name", "step", …}}, read through the restricted unpickler of
 * {@link dev.easel.engine.weights.TorchCheckpoint}, so it runs nothing), or diffusers'
 * {@code learned_embeds.safetensors} / {@code .bin} (one key, the token it was trained for, [hidden] or
 * [n, hidden]). Files are told apart by their content, not their name.
 */
public record TextualInversion(String token, NDArray vectors) {

    /** File types an embeddings folder is searched for. */
    public static final Set<String> EXTENSIONS = Set.of("safetensors", "pt", "bin");

    /** Where A1111's {@code .pt} keeps its vectors, flattened: {@code string_to_param.*}. */
    private static final String STRING_TO_PARAM = "string_to_param.";

    private static final Set<String> FLOAT_TYPES = Set.of("F16", "BF16", "F32", "F64");

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
        try (TensorFile f = TensorFile.open(file)) {
            if (f.contains("clip_l") || f.contains("clip_g")) {
                throw new EngineException(file + ": an SDXL embedding (keys clip_l / clip_g); this model is Stable"
                        + " Diffusion 1.x/2.x — use an embedding made for SD 1.5/2.x");
            }
            String key = vectorsKey(f);
            long[] shape = f.shape(key);
            if (shape.length < 1
                    || shape.length > 2
                    || shape[shape.length - 1] < 1
                    || shape.length == 2 && shape[0] < 1
                    || !FLOAT_TYPES.contains(f.dtype(key))) {
                throw new EngineException(file + ": tensor " + key + " is " + f.dtype(key) + " "
                        + java.util.Arrays.toString(shape) + "; an embedding is floating point, [vectors, hidden] or"
                        + " [hidden]");
            }
            NDArray v = f.read(key, manager, DataType.FLOAT32);
            NDArray vectors = shape.length == 1 ? v.reshape(1, shape[0]) : v;
            boolean keyIsToken = !key.equals("emb_params") && !key.startsWith(STRING_TO_PARAM);
            String name = token != null
                    ? token
                    : keyIsToken && baseName(file).startsWith("learned_embeds") ? key : baseName(file);
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new EngineException(file + ": the token '" + name + "' is empty or has spaces; give one with"
                        + " FILE:TOKEN / --token");
            }
            return new TextualInversion(name, vectors);
        }
    }

    /** The key of the vectors: A1111's {@code emb_params} or {@code string_to_param.*}, or diffusers' one key. */
    private static String vectorsKey(TensorFile f) {
        if (f.contains("emb_params")) {
            return "emb_params";
        }
        List<String> params =
                f.keys().stream().filter(k -> k.startsWith(STRING_TO_PARAM)).toList();
        if (params.size() > 1) {
            throw new EngineException(f.file() + ": " + params.size() + " embeddings in string_to_param ("
                    + String.join(", ", params.subList(0, Math.min(3, params.size()))) + "); A1111 and Easel read"
                    + " files of one");
        }
        if (params.size() == 1) {
            return params.get(0);
        }
        if (f.keys().size() == 1) {
            return f.keys().iterator().next();
        }
        if (f.keys().stream().anyMatch(k -> k.startsWith("model.diffusion_model.") || k.startsWith("unet."))) {
            throw new EngineException(f.file() + ": a Stable Diffusion model checkpoint ("
                    + f.keys().size()
                    + " tensors), not a textual-inversion embedding; load it as a model (--model, %load_model)");
        }
        throw new EngineException(
                f.file() + ": not a textual-inversion embedding (" + f.keys().size() + " tensors"
                        + " and no emb_params or string_to_param; expected A1111's .safetensors / .pt or diffusers' single"
                        + " token key)");
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
