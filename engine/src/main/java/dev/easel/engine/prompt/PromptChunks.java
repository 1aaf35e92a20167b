package dev.easel.engine.prompt;

import dev.easel.engine.EngineException;
import dev.easel.engine.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A prompt's tokens cut into chunks the text encoder reads one at a time, as A1111's {@code tokenize_line}: each
 * chunk holds up to 75 tokens between its own start and end token and is padded to 77. A chunk ends at
 * {@code BREAK}, or when full; when it fills up, the tokens after its last comma move to the next chunk if that
 * comma is within the last 20 tokens, so a phrase is not split between chunks. Each token carries its attention
 * weight (start, end and padding 1.0).
 *
 * <p>A prompt that fits in one chunk and has no weights gives exactly the ids a plain tokenizer gives
 * ({@link ClipTokenizer#encode}), so it encodes exactly as diffusers encodes it.
 *
 * @param ids    chunk × 77 token ids
 * @param weights chunk × 77 weights
 */
public record PromptChunks(long[][] ids, float[][] weights) {

    /** Tokens per chunk between the start and end tokens (CLIP reads 77). */
    public static final int CHUNK_LENGTH = 75;
    /** How far back from a chunk's end a comma may be to carry the phrase after it into the next chunk. */
    public static final int COMMA_BACKTRACK = 20;

    public int size() {
        return ids.length;
    }

    /** Whether any token has a weight other than 1. */
    public boolean weighted() {
        for (float[] w : weights) {
            for (float v : w) {
                if (v != 1f) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The chunks of {@code prompt} read with A1111's attention syntax. */
    public static PromptChunks of(String prompt, ClipTokenizer tokenizer) {
        return of(PromptAttention.parse(prompt), tokenizer);
    }

    /** The chunks of a literal prompt, no syntax: diffusers' reading but not cut at 75 tokens. */
    public static PromptChunks plain(String prompt, ClipTokenizer tokenizer) {
        return of(List.of(PromptAttention.Span.text(prompt, 1.0)), tokenizer);
    }

    /** The chunks of parsed spans. */
    public static PromptChunks of(List<PromptAttention.Span> spans, ClipTokenizer tokenizer) {
        if (tokenizer.maxLength() != CHUNK_LENGTH + 2) {
            throw new EngineException(
                    "prompt chunks need a 77-token text encoder, this tokenizer reads " + tokenizer.maxLength());
        }
        long comma = commaId(tokenizer);
        Builder b = new Builder(tokenizer);
        for (PromptAttention.Span span : spans) {
            if (span.isBreak()) {
                if (b.tokens.isEmpty()) {
                    throw new EngineException("BREAK with nothing before it (at the start, or twice in a row) makes an"
                            + " empty chunk; write BREAK once, between two parts of the prompt");
                }
                b.next();
                continue;
            }
            long[] full = tokenizer.encodeFull(span.text());
            for (int i = 1; i < full.length - 1; i++) {
                long token = full[i];
                if (token == comma) {
                    b.lastComma = b.tokens.size();
                } else if (b.tokens.size() == CHUNK_LENGTH
                        && b.lastComma != -1
                        && b.tokens.size() - b.lastComma <= COMMA_BACKTRACK) {
                    int cut = b.lastComma + 1;
                    List<Long> movedTokens = new ArrayList<>(b.tokens.subList(cut, b.tokens.size()));
                    List<Float> movedWeights = new ArrayList<>(b.weights.subList(cut, b.weights.size()));
                    b.tokens.subList(cut, b.tokens.size()).clear();
                    b.weights.subList(cut, b.weights.size()).clear();
                    b.next();
                    b.tokens.addAll(movedTokens);
                    b.weights.addAll(movedWeights);
                }
                if (b.tokens.size() == CHUNK_LENGTH) {
                    b.next();
                }
                b.tokens.add(token);
                b.weights.add((float) span.weight());
            }
        }
        if (!b.tokens.isEmpty() || b.chunks.isEmpty()) {
            b.next();
        }
        return new PromptChunks(b.chunks.toArray(long[][]::new), b.chunkWeights.toArray(float[][]::new));
    }

    /** The empty prompt's chunk: what pads the shorter side of prompt and negative prompt. */
    public static PromptChunks empty(ClipTokenizer tokenizer) {
        return plain("", tokenizer);
    }

    private static long commaId(ClipTokenizer tokenizer) {
        long[] ids = tokenizer.encodeFull(",");
        return ids.length == 3 ? ids[1] : -1;
    }

    private static final class Builder {
        final ClipTokenizer tokenizer;
        final List<long[]> chunks = new ArrayList<>();
        final List<float[]> chunkWeights = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        int lastComma = -1;

        Builder(ClipTokenizer tokenizer) {
            this.tokenizer = tokenizer;
        }

        /** Closes the current chunk: start token, tokens, end token, padding (A1111 pads after the first end). */
        void next() {
            long[] ids = new long[CHUNK_LENGTH + 2];
            float[] w = new float[CHUNK_LENGTH + 2];
            Arrays.fill(ids, tokenizer.padId());
            Arrays.fill(w, 1f);
            ids[0] = tokenizer.bosId();
            for (int i = 0; i < tokens.size(); i++) {
                ids[i + 1] = tokens.get(i);
                w[i + 1] = weights.get(i);
            }
            ids[tokens.size() + 1] = tokenizer.eosId();
            chunks.add(ids);
            chunkWeights.add(w);
            tokens = new ArrayList<>();
            weights = new ArrayList<>();
            lastComma = -1;
        }
    }
}
