package dev.easel.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.prompt.PromptChunks;
import dev.easel.engine.prompt.PromptSchedule;
import dev.easel.engine.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prompt text → text-encoder states: diffusers' {@code encode_prompt} for token ids, and A1111's reading on top of
 * it — every 75-token chunk encoded alone and the chunks concatenated, each token's state multiplied by its
 * attention weight and then rescaled so the chunk's mean is what it was unweighted.
 */
public final class PromptEncoder {

    /** An extra-network tag in a prompt, A1111's {@code <lora:name:0.8>}: it selects a network and is not text. */
    public static final Pattern NETWORK_TAG = Pattern.compile("<(\\w+):([^>:]+)(?::([^>]*))?>");

    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final Device device;

    public PromptEncoder(ClipTokenizer tokenizer, ClipTextModel textEncoder, Device device) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.device = device;
    }

    /** States [n, 77, D] of n rows of 77 token ids; {@code clipSkip} as diffusers (0 = last layer). */
    public NDArray hiddenStates(NDManager scope, long[][] ids, int clipSkip) {
        int len = tokenizer.maxLength();
        long[] flat = new long[ids.length * len];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * len, len);
        }
        NDArray idArray = scope.create(flat, new Shape(ids.length, len)).toDevice(device, false);
        ClipTextModel.Output out = textEncoder.forward(scope, idArray);
        if (clipSkip <= 0) {
            return out.lastHiddenState();
        }
        List<NDArray> hs = out.hiddenStates();
        if (clipSkip >= hs.size()) {
            throw new EngineException(
                    "clip skip " + clipSkip + " is too large for a " + (hs.size() - 1) + "-layer text encoder");
        }
        return textEncoder.finalLayerNorm(scope, hs.get(hs.size() - 1 - clipSkip));
    }

    /** States [1, 77·chunks, D] of a chunked, weighted prompt. */
    public NDArray encode(NDManager scope, PromptChunks chunks, int clipSkip) {
        NDArray z = hiddenStates(scope, chunks.ids(), clipSkip);
        if (chunks.weighted()) {
            z = applyWeights(scope, z, chunks.weights());
        }
        Shape s = z.getShape();
        return z.reshape(1, s.get(0) * s.get(1), s.get(2));
    }

    /**
     * A1111's emphasis: z·w per token, then z·(mean before / mean after) per chunk, so weights shift the states'
     * balance without changing their overall size.
     */
    static NDArray applyWeights(NDManager scope, NDArray z, float[][] weights) {
        DataType type = z.getDataType();
        NDArray z32 = z.toType(DataType.FLOAT32, false);
        NDList out = new NDList();
        for (int c = 0; c < weights.length; c++) {
            NDArray chunk = z32.get(c);
            float before = chunk.mean().getFloat();
            NDArray w =
                    scope.create(weights[c], new Shape(weights[c].length, 1)).toDevice(chunk.getDevice(), false);
            NDArray weighted = chunk.mul(w);
            float after = weighted.mean().getFloat();
            out.add(weighted.mul(before / after).expandDims(0));
        }
        return NDArrays.concat(out, 0).toType(type, false);
    }

    /**
     * The conditioning of a generation: per sampler call, the context [rows, 77·chunks, D] with the negative rows
     * first when {@code negatives} is non-null (classifier-free guidance), each prompt's schedule followed and every
     * row padded with empty-prompt chunks to the longest.
     *
     * @param prompts one per prompt of the batch (each row repeated {@code repeat} times)
     * @param negatives one per prompt, or null without guidance
     * @param steps the steps the schedules are read against
     * @param hiresSteps the hires pass's steps (its schedules), or 0 for the first pass
     */
    public Conditioning conditioning(
            NDManager scope,
            List<String> prompts,
            List<String> negatives,
            int repeat,
            int steps,
            int hiresSteps,
            int clipSkip) {
        List<Row> rows = new ArrayList<>();
        if (negatives != null) {
            for (String n : negatives) {
                rows.add(row(scope, n, steps, hiresSteps, 0, repeat));
            }
        }
        for (String p : prompts) {
            rows.add(row(scope, p, steps, hiresSteps, clipSkip, repeat));
        }
        NDArray padPrompt = encode(scope, PromptChunks.empty(tokenizer), clipSkip);
        NDArray padNegative = clipSkip == 0 ? padPrompt : encode(scope, PromptChunks.empty(tokenizer), 0);
        return new Conditioning(scope, rows, negatives == null ? 0 : negatives.size(), padNegative, padPrompt);
    }

    private Row row(NDManager scope, String text, int steps, int hiresSteps, int clipSkip, int repeat) {
        PromptSchedule schedule = PromptSchedule.of(text, steps, hiresSteps);
        Map<String, NDArray> byText = new HashMap<>();
        List<NDArray> states = new ArrayList<>();
        for (PromptSchedule.Entry e : schedule.entries()) {
            // extra-network tags (<lora:name:0.8>) select networks, as in A1111; they are not text to encode
            String words = NETWORK_TAG.matcher(e.text()).replaceAll("");
            states.add(byText.computeIfAbsent(words, t -> encode(scope, PromptChunks.of(t, tokenizer), clipSkip)));
        }
        return new Row(schedule, states, repeat);
    }

    private record Row(PromptSchedule schedule, List<NDArray> states, int repeat) {}

    /** Contexts per sampler call, built once per distinct combination of the rows' schedule entries. */
    public static final class Conditioning {
        private final NDManager scope;
        private final List<Row> rows;
        private final int negativeRows;
        private final NDArray padNegative;
        private final NDArray padPrompt;
        private final Map<List<Integer>, NDArray> contexts = new HashMap<>();

        private Conditioning(
                NDManager scope, List<Row> rows, int negativeRows, NDArray padNegative, NDArray padPrompt) {
            this.scope = scope;
            this.rows = rows;
            this.negativeRows = negativeRows;
            this.padNegative = padNegative;
            this.padPrompt = padPrompt;
        }

        /** The context for sampler call {@code counter} (0-based), in {@code dtype}. */
        public NDArray at(int counter, DataType dtype) {
            List<Integer> key = new ArrayList<>();
            for (Row r : rows) {
                key.add(r.schedule().at(counter));
            }
            return contexts.computeIfAbsent(key, k -> build(k, dtype));
        }

        /** Whether any prompt changes during sampling. */
        public boolean scheduled() {
            return rows.stream().anyMatch(r -> r.schedule().isScheduled());
        }

        private NDArray build(List<Integer> entries, DataType dtype) {
            long longest = 0;
            for (int i = 0; i < rows.size(); i++) {
                longest = Math.max(
                        longest,
                        rows.get(i).states().get(entries.get(i)).getShape().get(1));
            }
            NDList parts = new NDList();
            for (int i = 0; i < rows.size(); i++) {
                NDArray states = rows.get(i).states().get(entries.get(i));
                NDArray pad = i < negativeRows ? padNegative : padPrompt;
                long missing =
                        (longest - states.getShape().get(1)) / pad.getShape().get(1);
                NDList padded = new NDList(states);
                for (long k = 0; k < missing; k++) {
                    padded.add(pad);
                }
                NDArray row = padded.size() == 1 ? states : NDArrays.concat(padded, 1);
                for (int k = 0; k < rows.get(i).repeat(); k++) {
                    parts.add(row);
                }
            }
            NDArray context = NDArrays.concat(parts, 0).toType(dtype, false);
            context.attach(scope);
            return context;
        }
    }
}
