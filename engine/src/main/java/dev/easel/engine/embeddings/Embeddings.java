package dev.easel.engine.embeddings;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The textual-inversion embeddings loaded on one pipeline, as diffusers' {@code load_textual_inversion} applies
 * them: the tokenizer learns each token ({@code token}, {@code token_1}, … for a multi-vector one) and the text
 * encoder's embedding table grows by their vectors. Unloading one rebuilds both from the rest, so the model returns
 * exactly to how it was loaded.
 */
public final class Embeddings implements AutoCloseable {

    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final NDManager manager;
    private final Map<String, TextualInversion> loaded = new LinkedHashMap<>();
    /** Files of an embeddings folder already looked at, by name, so each is read once. */
    private final Map<Path, String> fromFolders = new LinkedHashMap<>();

    public Embeddings(ClipTokenizer tokenizer, ClipTextModel textEncoder, NDManager manager) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.manager = manager;
    }

    /**
     * Loads an embedding file under {@code token} (null: from the file, see {@link TextualInversion#read}). One line
     * and no change to the model for a file that is no embedding, a hidden size other than the text encoder's, or a
     * token the tokenizer already has.
     */
    public synchronized String load(Path file, String token) {
        NDManager owned = manager.newSubManager();
        boolean ok = false;
        try {
            TextualInversion ti = TextualInversion.read(file, token, owned);
            long hidden = textEncoder.tokenEmbedding().dim;
            if (ti.hiddenSize() != hidden) {
                throw new EngineException(file + ": its vectors are " + ti.hiddenSize() + " wide and this model's text"
                        + " encoder is " + hidden + " wide; the embedding was made for another model family"
                        + " (768: SD 1.x, 1024: SD 2.x)");
            }
            for (int i = 0; i < ti.count(); i++) {
                String t = i == 0 ? ti.token() : ti.token() + "_" + i;
                if (tokenizer.hasToken(t)) {
                    throw new EngineException(file + ": the token '" + t + "' is already in the tokenizer; choose"
                            + " another with FILE:TOKEN / --token"
                            + (loaded.containsKey(t) ? " or unload it first" : ""));
                }
            }
            loaded.put(ti.token(), ti);
            try {
                apply();
            } catch (RuntimeException e) {
                loaded.remove(ti.token());
                apply();
                throw e;
            }
            ok = true;
            return ti.token();
        } finally {
            if (!ok) {
                owned.close();
            }
        }
    }

    /**
     * Loads the files of an embeddings folder whose names (without extension) appear in any of the texts, as A1111
     * does with its embeddings folder; each under its file name. Returns the tokens loaded now.
     */
    public synchronized List<String> loadUsed(Path folder, Collection<String> texts) {
        if (folder == null || !Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> TextualInversion.EXTENSIONS.contains(TextualInversion.extension(p)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new EngineException(folder + ": cannot list the embeddings folder (" + e.getMessage() + ")");
        }
        List<String> now = new java.util.ArrayList<>();
        for (Path file : files) {
            String name = TextualInversion.baseName(file);
            if (fromFolders.containsKey(file)
                    || loaded.containsKey(name)
                    || texts.stream().noneMatch(t -> t != null && t.contains(name))) {
                continue;
            }
            now.add(load(file, name));
            fromFolders.put(file, name);
        }
        return now;
    }

    /** Takes one embedding off: its tokens leave the tokenizer and its rows the embedding table. */
    public synchronized void unload(String token) {
        TextualInversion ti = loaded.remove(token);
        if (ti == null) {
            throw new EngineException("no embedding with the token '" + token + "' is loaded; loaded: "
                    + (loaded.isEmpty() ? "none" : String.join(", ", loaded.keySet())));
        }
        fromFolders.values().remove(token);
        apply();
        ti.vectors().getManager().close();
    }

    /** The loaded tokens and their vector counts, in load order. */
    public synchronized Map<String, Integer> tokens() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        loaded.forEach((t, ti) -> counts.put(t, ti.count()));
        return counts;
    }

    private void apply() {
        tokenizer.setAddedTokens(tokens());
        if (loaded.isEmpty()) {
            textEncoder.tokenEmbedding().setExtraRows(null);
            return;
        }
        NDList rows = new NDList();
        loaded.values().forEach(ti -> rows.add(ti.vectors()));
        NDArray all = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows);
        textEncoder.tokenEmbedding().setExtraRows(all);
        if (rows.size() > 1) {
            all.close();
        }
    }

    /** Unloads every embedding. */
    @Override
    public synchronized void close() {
        for (String token : List.copyOf(loaded.keySet())) {
            unload(token);
        }
    }
}
