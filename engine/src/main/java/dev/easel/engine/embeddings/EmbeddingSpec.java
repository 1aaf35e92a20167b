package dev.easel.engine.embeddings;

import dev.easel.engine.io.Folders;
import dev.easel.engine.io.UserPath;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code FILE[:TOKEN]} as typed after {@code --embedding}; token null: the file's default (its name). */
public record EmbeddingSpec(Path file, String token) {

    /** Reads {@code FILE[:TOKEN]} relative to {@code base}; a colon inside an existing path belongs to the path. */
    public static EmbeddingSpec parse(String text, Path base) {
        int colon = text.lastIndexOf(':');
        if (colon > 0 && !Files.exists(UserPath.resolve(base, text))) {
            String token = text.substring(colon + 1);
            if (!token.isEmpty() && token.indexOf('/') < 0 && token.indexOf('\\') < 0) {
                return new EmbeddingSpec(UserPath.resolve(base, text.substring(0, colon)), token);
            }
        }
        return new EmbeddingSpec(UserPath.resolve(base, text), null);
    }

    /**
     * The embeddings folder: {@code --embeddings-dir} if given, else {@code EASEL_EMBEDDINGS_DIR}, else
     * {@code embeddings/} beside the model.
     */
    public static Path folder(Path explicit, Path model) {
        return Folders.beside(explicit, "EASEL_EMBEDDINGS_DIR", model, "embeddings");
    }
}
