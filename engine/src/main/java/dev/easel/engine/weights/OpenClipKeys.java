package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.ClipTextModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The text encoder of SD 2.x original checkpoints, kept in OpenCLIP's layout under {@code cond_stage_model.model.}:
 * {@code transformer.resblocks.N.attn.in_proj_weight} (query, key and value stacked), {@code attn.out_proj},
 * {@code ln_1}, {@code ln_2}, {@code mlp.c_fc}, {@code mlp.c_proj}, {@code token_embedding.weight},
 * {@code positional_embedding}, {@code ln_final}, {@code text_projection} and {@code logit_scale}.
 *
 * <p>SD 2.x conditions on the penultimate layer's output (then {@code ln_final}), so — as diffusers' conversion —
 * the text encoder has one layer fewer than the file has resblocks and the last resblock, the projection and the
 * logit scale are not read. {@link #asClip} shows such a file under the CLIP names {@link LdmKeys#text} gives, so it
 * loads by the same walk as an SD 1.x file.
 */
public final class OpenClipKeys {

    public static final String PREFIX = "cond_stage_model.model.";
    private static final String BLOCKS = PREFIX + "transformer.resblocks.";
    private static final String CLIP = LdmKeys.TEXT + "text_model.";
    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};

    private OpenClipKeys() {}

    /** Whether {@code f} holds an OpenCLIP text encoder (an SD 2.x original checkpoint). */
    public static boolean present(TensorFile f) {
        return f.contains(PREFIX + "token_embedding.weight");
    }

    /** Number of resblocks in the file. */
    private static int blocks(TensorFile f) {
        int n = 0;
        while (f.contains(BLOCKS + n + ".mlp.c_fc.weight")) {
            n++;
        }
        return n;
    }

    /**
     * Where a CLIP parameter lives in the OpenCLIP layout.
     *
     * @param key   the OpenCLIP tensor
     * @param third which third of a stacked {@code in_proj} tensor (0 query, 1 key, 2 value), -1 for all of it
     */
    record Source(String key, int third) {}

    /** The OpenCLIP source of a CLIP text-encoder parameter ({@code text_model.…}), null when it has none. */
    static Source source(String clipName) {
        if (!clipName.startsWith("text_model.")) {
            return null;
        }
        String n = clipName.substring("text_model.".length());
        switch (n) {
            case "embeddings.token_embedding.weight":
                return new Source(PREFIX + "token_embedding.weight", -1);
            case "embeddings.position_embedding.weight":
                return new Source(PREFIX + "positional_embedding", -1);
            case "final_layer_norm.weight":
                return new Source(PREFIX + "ln_final.weight", -1);
            case "final_layer_norm.bias":
                return new Source(PREFIX + "ln_final.bias", -1);
            default:
                break;
        }
        if (!n.startsWith("encoder.layers.")) {
            return null;
        }
        String rest = n.substring("encoder.layers.".length());
        int dot = rest.indexOf('.');
        if (dot < 0) {
            return null;
        }
        String block = BLOCKS + rest.substring(0, dot) + ".";
        String part = rest.substring(dot + 1);
        for (int i = 0; i < QKV.length; i++) {
            String proj = "self_attn." + QKV[i] + ".";
            if (part.startsWith(proj)) {
                return new Source(block + "attn.in_proj_" + part.substring(proj.length()), i);
            }
        }
        String mapped = part.replace("self_attn.out_proj.", "attn.out_proj.")
                .replace("layer_norm1.", "ln_1.")
                .replace("layer_norm2.", "ln_2.")
                .replace("mlp.fc1.", "mlp.c_fc.")
                .replace("mlp.fc2.", "mlp.c_proj.");
        return mapped.equals(part) ? null : new Source(block + mapped, -1);
    }

    /**
     * The text encoder's config from the tensor shapes: one layer fewer than the resblocks (the penultimate layer),
     * 64-channel heads and GELU, as OpenCLIP ViT-H/14 (SD 2.x: 23 layers, 1024 wide, 16 heads).
     */
    public static ClipTextModel.Config config(TensorFile f) {
        int blocks = blocks(f);
        if (blocks < 2) {
            throw new EngineException(f.file() + ": OpenCLIP text encoder with " + blocks + " resblocks; SD 2.x uses"
                    + " the penultimate of at least two (missing key " + BLOCKS + blocks + ".mlp.c_fc.weight)");
        }
        long[] tok = f.shape(PREFIX + "token_embedding.weight");
        long[] pos = f.shape(PREFIX + "positional_embedding");
        long[] fc = f.shape(BLOCKS + "0.mlp.c_fc.weight");
        int hidden = (int) tok[1];
        return new ClipTextModel.Config(
                (int) tok[0], hidden, (int) fc[0], blocks - 1, Math.max(1, hidden / 64), (int) pos[0], "gelu", 1e-5, 2);
    }

    /**
     * {@code f} with its OpenCLIP text encoder shown under the CLIP names of {@link LdmKeys#text}; the stacked
     * {@code in_proj} tensors are split when read. Every other key is {@code f}'s. The view does not own {@code f}:
     * closing it leaves {@code f} open.
     */
    public static TensorFile asClip(TensorFile f) {
        return new ClipView(f);
    }

    private static final class ClipView implements TensorFile {

        private final TensorFile base;
        private final Set<String> keys;

        ClipView(TensorFile base) {
            this.base = base;
            Set<String> k = new LinkedHashSet<>();
            for (String key : base.keys()) {
                if (!key.startsWith(PREFIX)) {
                    k.add(key);
                }
            }
            int layers = blocks(base) - 1;
            for (String clip : clipNames(layers)) {
                if (base.contains(source(clip).key())) {
                    k.add(LdmKeys.text(clip));
                }
            }
            this.keys = java.util.Collections.unmodifiableSet(k);
        }

        private Source sourceOf(String key) {
            Source s = key.startsWith(CLIP) ? source(key.substring(LdmKeys.TEXT.length())) : null;
            if (s == null || !keys.contains(key)) {
                throw new EngineException(base.file() + ": missing key " + key);
            }
            return s;
        }

        @Override
        public Path file() {
            return base.file();
        }

        @Override
        public Set<String> keys() {
            return keys;
        }

        @Override
        public boolean contains(String key) {
            return keys.contains(key);
        }

        @Override
        public long[] shape(String key) {
            if (!key.startsWith(LdmKeys.TEXT)) {
                return base.shape(key);
            }
            Source s = sourceOf(key);
            long[] shape = base.shape(s.key());
            if (s.third() >= 0) {
                if (shape.length == 0 || shape[0] % 3 != 0) {
                    throw new EngineException(base.file() + ": " + s.key() + " has shape "
                            + java.util.Arrays.toString(shape) + "; expected query, key and value stacked (3·width)");
                }
                shape[0] /= 3;
            }
            return shape;
        }

        @Override
        public String dtype(String key) {
            return base.dtype(key.startsWith(LdmKeys.TEXT) ? sourceOf(key).key() : key);
        }

        @Override
        public NDArray read(String key, NDManager manager, DataType floatType) {
            if (!key.startsWith(LdmKeys.TEXT)) {
                return base.read(key, manager, floatType);
            }
            Source s = sourceOf(key);
            if (s.third() < 0) {
                return base.read(s.key(), manager, floatType);
            }
            long rows = shape(key)[0];
            try (NDManager scratch = manager.newSubManager()) {
                NDArray stacked = base.read(s.key(), scratch, floatType);
                // a copy of its own, so the stacked tensor's memory goes when the scratch manager closes
                NDArray part = stacked.get(new NDIndex(s.third() * rows + ":" + (s.third() + 1) * rows))
                        .duplicate();
                part.attach(manager);
                return part;
            }
        }

        /** Zero-copy where {@code base} can: every tensor but the split {@code in_proj} parts, which are copies. */
        @Override
        public NDArray readParameter(String key, long[] shape, NDManager manager, DataType floatType) {
            if (!key.startsWith(LdmKeys.TEXT)) {
                return base.readParameter(key, shape, manager, floatType);
            }
            Source s = sourceOf(key);
            return s.third() < 0
                    ? base.readParameter(s.key(), shape, manager, floatType)
                    : TensorFile.super.readParameter(key, shape, manager, floatType);
        }

        @Override
        public void close() {
            // the caller closes the file it opened
        }
    }

    /**
     * One tensor of the OpenCLIP layout as a real SD 2.x file has it.
     *
     * @param key   the OpenCLIP key
     * @param shape its shape
     * @param parts the CLIP parameters stacked along the first axis to make it (query, key, value for
     *              {@code in_proj}); for a tensor SD 2.x does not use (the last resblock), those of the layer before,
     *              whose shapes it has; empty for {@code text_projection} and {@code logit_scale}
     * @param used  whether the text encoder reads it
     */
    public record Packed(String key, long[] shape, List<String> parts, boolean used) {}

    /** Every tensor of an OpenCLIP text encoder whose penultimate layer is the CLIP model of {@code c}, in file order. */
    public static List<Packed> layout(ClipTextModel.Config c) {
        long h = c.hiddenSize();
        long inter = c.intermediateSize();
        String e = "text_model.embeddings.";
        List<Packed> out = new ArrayList<>();
        out.add(new Packed(
                PREFIX + "positional_embedding",
                new long[] {c.maxPositionEmbeddings(), h},
                List.of(e + "position_embedding.weight"),
                true));
        out.add(new Packed(
                PREFIX + "token_embedding.weight",
                new long[] {c.vocabSize(), h},
                List.of(e + "token_embedding.weight"),
                true));
        for (int b = 0; b <= c.numHiddenLayers(); b++) {
            boolean used = b < c.numHiddenLayers();
            String l = "text_model.encoder.layers." + (used ? b : b - 1) + ".";
            String k = BLOCKS + b + ".";
            for (String kind : new String[] {"weight", "bias"}) {
                List<String> qkv = new ArrayList<>();
                for (String p : QKV) {
                    qkv.add(l + "self_attn." + p + "." + kind);
                }
                out.add(new Packed(
                        k + "attn.in_proj_" + kind,
                        kind.equals("weight") ? new long[] {3 * h, h} : new long[] {3 * h},
                        qkv,
                        used));
            }
            out.add(new Packed(
                    k + "attn.out_proj.weight", new long[] {h, h}, List.of(l + "self_attn.out_proj.weight"), used));
            out.add(new Packed(k + "attn.out_proj.bias", new long[] {h}, List.of(l + "self_attn.out_proj.bias"), used));
            for (String[] ln : new String[][] {{"ln_1.", "layer_norm1."}, {"ln_2.", "layer_norm2."}}) {
                out.add(new Packed(k + ln[0] + "weight", new long[] {h}, List.of(l + ln[1] + "weight"), used));
                out.add(new Packed(k + ln[0] + "bias", new long[] {h}, List.of(l + ln[1] + "bias"), used));
            }
            out.add(new Packed(k + "mlp.c_fc.weight", new long[] {inter, h}, List.of(l + "mlp.fc1.weight"), used));
            out.add(new Packed(k + "mlp.c_fc.bias", new long[] {inter}, List.of(l + "mlp.fc1.bias"), used));
            out.add(new Packed(k + "mlp.c_proj.weight", new long[] {h, inter}, List.of(l + "mlp.fc2.weight"), used));
            out.add(new Packed(k + "mlp.c_proj.bias", new long[] {h}, List.of(l + "mlp.fc2.bias"), used));
        }
        out.add(new Packed(
                PREFIX + "ln_final.weight", new long[] {h}, List.of("text_model.final_layer_norm.weight"), true));
        out.add(new Packed(
                PREFIX + "ln_final.bias", new long[] {h}, List.of("text_model.final_layer_norm.bias"), true));
        out.add(new Packed(PREFIX + "text_projection", new long[] {h, h}, List.of(), false));
        out.add(new Packed(PREFIX + "logit_scale", new long[0], List.of(), false));
        return out;
    }

    /** The CLIP names of a text encoder with {@code layers} layers (those {@link #source} maps). */
    private static List<String> clipNames(int layers) {
        List<String> names = new ArrayList<>(List.of(
                "text_model.embeddings.token_embedding.weight",
                "text_model.embeddings.position_embedding.weight",
                "text_model.final_layer_norm.weight",
                "text_model.final_layer_norm.bias"));
        for (int i = 0; i < layers; i++) {
            String l = "text_model.encoder.layers." + i + ".";
            for (String p : new String[] {
                "self_attn.q_proj.",
                "self_attn.k_proj.",
                "self_attn.v_proj.",
                "self_attn.out_proj.",
                "layer_norm1.",
                "layer_norm2.",
                "mlp.fc1.",
                "mlp.fc2."
            }) {
                names.add(l + p + "weight");
                names.add(l + p + "bias");
            }
        }
        return names;
    }
}
