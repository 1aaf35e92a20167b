package dev.easel.engine.randommodel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.Folders;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.Module;
import dev.easel.engine.tokenizer.BpeTrainer;
import dev.easel.engine.tokenizer.ByteLevel;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.engine.weights.OpenClipKeys;
import dev.easel.engine.weights.SafeTensors;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a model of a real {@link Architecture} with random weights, tensor by tensor: the models are built with
 * placeholder parameters ({@link Init#empty}: shapes and kinds, no memory), the safetensors header is computed from
 * the shapes and written first, and each tensor's values are generated straight into the file in 64 KiB chunks — a
 * 4 GB model is written with a few megabytes of memory. Every file and folder appears atomically.
 *
 * <p>Values follow PyTorch's default initialisation closely enough for activations to stay in range (weights and
 * biases uniform in ±1/√fan-in, embeddings with standard deviation 0.02, norms one), from a seed per tensor name.
 * The tokenizer is a synthetic CLIP BPE vocabulary of exactly the text encoder's 49,408 tokens (512 byte symbols,
 * 48,894 merges, start and end) in CLIP's layout, padded with the architecture's pad token.
 */
public final class RandomModelWriter {

    private static final int CHUNK = 1 << 14;

    private final Architecture arch;
    private final DataType dtype;
    private final long seed;

    public RandomModelWriter(Architecture arch, DataType dtype, long seed) {
        if (dtype != DataType.FLOAT16 && dtype != DataType.FLOAT32) {
            throw new EngineException("random models are written as fp16 or fp32, not " + dtype);
        }
        this.arch = arch;
        this.dtype = dtype;
        this.seed = seed;
    }

    /** One component's parameters: diffusers name → placeholder (shape + how it was declared). */
    private record Component(String name, Module model, Init init) {}

    private List<Component> components(NDManager manager) {
        Init init = Init.empty(manager);
        List<Component> c = new ArrayList<>();
        c.add(new Component("unet", new UNet2DConditionModel(init, arch.unet()), init));
        c.add(new Component("vae", new AutoencoderKL(init, arch.vae()), init));
        c.add(new Component("text_encoder", new ClipTextModel(init, arch.textEncoder()), init));
        return c;
    }

    /** Number of parameters of the architecture (all three models). */
    public long parameterCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            long n = 0;
            for (Component c : components(m)) {
                for (NDArray p : c.model().parameters().values()) {
                    n += p.getShape().size();
                }
            }
            return n;
        }
    }

    /** Writes a diffusers folder ({@code model_index.json}, unet/, vae/, text_encoder/, tokenizer/, scheduler/). */
    public void writeFolder(Path target) {
        try (NDManager m = NDManager.newBaseManager()) {
            Folders.replace(target, staging -> {
                Files.write(staging.resolve("model_index.json"), arch.configBytes("model_index"));
                for (Component c : components(m)) {
                    Path dir = Files.createDirectories(staging.resolve(c.name()));
                    Files.write(dir.resolve("config.json"), arch.configBytes(c.name()));
                    String file = c.name().equals("text_encoder")
                            ? "model.safetensors"
                            : "diffusion_pytorch_model.safetensors";
                    writeTensors(c, dir.resolve(file));
                }
                Files.write(
                        Files.createDirectories(staging.resolve("scheduler")).resolve("scheduler_config.json"),
                        arch.configBytes("scheduler"));
                Files.write(
                        Files.createDirectories(staging.resolve("feature_extractor"))
                                .resolve("preprocessor_config.json"),
                        Architecture.resource("preprocessor_config.json"));
                writeTokenizer(staging.resolve("tokenizer"));
            });
        } catch (IOException e) {
            throw new EngineException(target + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /**
     * Writes one original-layout checkpoint as the real files are: LDM key names, VAE attention projections as 1×1
     * convolutions (as {@link LdmKeys#export}), and for SD 2.x the text encoder in OpenCLIP's layout
     * ({@link OpenClipKeys#layout}: 24 resblocks with query, key and value stacked, the projection and logit scale).
     * Alone, like a download: loading takes the CLIP vocabulary in the jar.
     */
    public void writeSingleFile(Path file) {
        try (NDManager m = NDManager.newBaseManager()) {
            List<SafeTensors.Spec> specs = new ArrayList<>();
            Map<String, List<Placed>> placed = new LinkedHashMap<>();
            for (Component c : components(m)) {
                if (c.name().equals("text_encoder") && arch.padToken().equals(ClipTokenizer.SD2_PAD)) {
                    collectOpenClip(c, specs, placed);
                } else {
                    collect(c, true, specs, placed);
                }
            }
            SafeTensors.write(specs, Map.of("format", "pt"), file, (spec, out) -> {
                for (Placed p : placed.get(spec.name())) {
                    values(p, out);
                }
            });
        }
    }

    /** One run of random values: {@code count} of them, seeded by {@code name}, as a parameter declared so. */
    private record Placed(String name, Init.Declared declared, long count) {}

    private void writeTensors(Component c, Path file) {
        List<SafeTensors.Spec> specs = new ArrayList<>();
        Map<String, List<Placed>> placed = new LinkedHashMap<>();
        collect(c, false, specs, placed);
        SafeTensors.write(specs, Map.of("format", "pt"), file, (spec, out) -> {
            for (Placed p : placed.get(spec.name())) {
                values(p, out);
            }
        });
    }

    /**
     * The text encoder's tensors in OpenCLIP's layout: stacked tensors are their parts' values one after the other;
     * the tensors SD 2.x does not read get values of their own, declared as the parameters they stand beside.
     */
    private void collectOpenClip(Component c, List<SafeTensors.Spec> specs, Map<String, List<Placed>> placed) {
        Map<String, NDArray> params = c.model().parameters();
        for (OpenClipKeys.Packed p : OpenClipKeys.layout(arch.textEncoder())) {
            specs.add(new SafeTensors.Spec(p.key(), stDtype(), p.shape()));
            List<Placed> runs = new ArrayList<>();
            for (String part : p.parts()) {
                NDArray param = params.get(part);
                runs.add(new Placed(
                        p.used() ? part : p.key() + "/" + part,
                        c.init().declared(param),
                        param.getShape().size()));
            }
            if (p.parts().isEmpty()) { // text_projection, uniform as a linear layer's weight; logit_scale one
                runs.add(new Placed(
                        p.key(),
                        new Init.Declared(
                                p.shape().length == 0 ? Init.Kind.ONES : Init.Kind.WEIGHT,
                                p.shape().length == 0 ? 1 : p.shape()[0]),
                        Math.max(1, new ai.djl.ndarray.types.Shape(p.shape()).size())));
            }
            placed.put(p.key(), runs);
        }
    }

    /** The tensors of one component under diffusers names, or under original (LDM) names and shapes. */
    private void collect(Component c, boolean ldm, List<SafeTensors.Spec> specs, Map<String, List<Placed>> placed) {
        UNet2DConditionModel.Config uc = arch.unet();
        AutoencoderKL.Config vc = arch.vae();
        c.model().parameters().forEach((name, p) -> {
            String key = name;
            long[] shape = p.getShape().getShape();
            if (ldm) {
                switch (c.name()) {
                    case "unet":
                        key = LdmKeys.unet(name, uc);
                        break;
                    case "vae":
                        key = LdmKeys.vae(name, vc);
                        if (key.contains("mid.attn_1.") && key.endsWith(".weight") && !key.contains(".norm.")) {
                            shape = new long[] {shape[0], shape[1], 1, 1};
                        }
                        break;
                    default:
                        key = LdmKeys.text(name);
                }
            }
            specs.add(new SafeTensors.Spec(key, stDtype(), shape));
            placed.put(
                    key,
                    List.of(new Placed(name, c.init().declared(p), p.getShape().size())));
        });
    }

    private String stDtype() {
        return dtype == DataType.FLOAT16 ? "F16" : "F32";
    }

    /** Streams one run of random values. */
    private void values(Placed p, OutputStream out) throws IOException {
        Init.Declared d = p.declared();
        SplittableRandom random = new SplittableRandom(seed ^ (long) p.name().hashCode() * 0x9E3779B97F4A7C15L);
        double bound;
        double constant = 0;
        switch (d.kind()) {
            case ONES:
                bound = 0;
                constant = 1;
                break;
            case ZEROS:
                bound = 0;
                break;
            case EMBEDDING:
                bound = 0.02 * Math.sqrt(3);
                break; // uniform with N(0, 0.02)'s deviation
            default:
                bound = 1.0 / Math.sqrt(Math.max(1, d.fanIn()));
        }
        int width = dtype == DataType.FLOAT16 ? 2 : 4;
        long n = p.count();
        byte[] buf = new byte[CHUNK * width];
        for (long done = 0; done < n; ) {
            int k = (int) Math.min(CHUNK, n - done);
            for (int i = 0; i < k; i++) {
                float v = (float) (bound == 0 ? constant : (random.nextDouble() * 2 - 1) * bound);
                if (width == 2) {
                    int h = Half.fromFloat(v);
                    buf[2 * i] = (byte) h;
                    buf[2 * i + 1] = (byte) (h >>> 8);
                } else {
                    int b = Float.floatToRawIntBits(v);
                    buf[4 * i] = (byte) b;
                    buf[4 * i + 1] = (byte) (b >>> 8);
                    buf[4 * i + 2] = (byte) (b >>> 16);
                    buf[4 * i + 3] = (byte) (b >>> 24);
                }
            }
            out.write(buf, 0, k * width);
            done += k;
        }
    }

    /** A CLIP-layout BPE tokenizer folder with exactly the text encoder's vocabulary size. */
    void writeTokenizer(Path folder) throws IOException {
        int vocab = arch.textEncoder().vocabSize();
        int merges = vocab - 2 * 256 - 2;
        List<Character> symbols = ByteLevel.vocabularyOrder();
        List<String> list = new ArrayList<>(merges);
        // pairs of byte symbols, each merge making a new word-final token ("a b</w>" → "ab</w>"), then inner ones
        outer:
        for (String end : new String[] {ByteLevel.END_OF_WORD, ""}) {
            for (char a : symbols) {
                for (char b : symbols) {
                    if (list.size() == merges) {
                        break outer;
                    }
                    list.add(a + " " + b + end);
                }
            }
        }
        BpeTrainer.Vocabulary v = new BpeTrainer.Vocabulary(list);
        if (v.ids().size() != vocab) {
            throw new IllegalStateException("tokenizer has " + v.ids().size() + " tokens, text encoder " + vocab);
        }
        try {
            v.write(folder);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (!arch.padToken().equals(ByteLevel.EOS)) {
            for (String f : new String[] {"special_tokens_map.json", "tokenizer_config.json"}) {
                Path p = folder.resolve(f);
                String text = Files.readString(p, StandardCharsets.UTF_8)
                        .replace(
                                "\"pad_token\" : \"" + ByteLevel.EOS + "\"",
                                "\"pad_token\" : \"" + arch.padToken() + "\"");
                if (!text.contains("\"pad_token\" : \"" + arch.padToken() + "\"")) {
                    throw new IllegalStateException("could not set the pad token in " + p);
                }
                Files.writeString(p, text, StandardCharsets.UTF_8);
            }
        }
    }
}
