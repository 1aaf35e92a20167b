package dev.easel.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Conv2d;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.LoraAdapter;
import dev.easel.engine.nn.Module;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LoRA adapters on a pipeline's layers. Training puts them on the attention projections — the UNet's {@code to_q},
 * {@code to_k}, {@code to_v}, {@code to_out.0} and optionally the text encoder's {@code q_proj}, {@code k_proj},
 * {@code v_proj}, {@code out_proj} — and saves them in diffusers' keys
 * ({@code unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight}, text encoder
 * {@code text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_linear_layer.down.weight}) or Kohya's
 * ({@code lora_unet_down_blocks_0_…_to_q.lora_down.weight} + {@code .alpha}).
 *
 * <p>Loading takes every layout people share ({@link LoraFormat}) on any linear layer or convolution (LoCon's 1×1
 * and 3×3), with the Kohya {@code .alpha} of each layer scaling it by alpha/rank, as diffusers'
 * {@code load_lora_weights} does. Keys that name no layer of the model are kept in {@link #unmatched()}.
 */
public final class LoraNetwork {

    private static final List<String> UNET_TARGETS = List.of("to_q", "to_k", "to_v", "to_out.0");
    private static final List<String> TEXT_TARGETS = List.of("q_proj", "k_proj", "v_proj", "out_proj");

    /** A tensor's role in a file: the layer name as written, down / up / alpha. */
    private static final Pattern ROLE = Pattern.compile("(.+?)(?:\\.lora[._](down|up)|\\.lora_linear_layer\\.(down|up)"
            + "|\\.lora_(A|B)(?:\\.[^.]+)?|_lora\\.(down|up))\\.weight|(.+)\\.(alpha)");

    /** Adapter path (e.g. {@code unet.…attn1.to_q}) → its adapter. */
    private final Map<String, LoraAdapter> adapters;

    private final Map<String, Module> layers;
    /** The tensors of a loaded network, freed by {@link #remove}; null for one made for training. */
    private final NDManager loaded;

    private final List<String> unmatched;

    private LoraNetwork(
            Map<String, LoraAdapter> adapters, Map<String, Module> layers, NDManager loaded, List<String> unmatched) {
        this.adapters = adapters;
        this.layers = layers;
        this.loaded = loaded;
        this.unmatched = List.copyOf(unmatched);
    }

    /**
     * New adapters for training: A ~ N(0, 1/rank), B = 0 (so training starts from the base model), as diffusers'
     * LoRALinearLayer initialises them.
     */
    public static LoraNetwork create(
            UNet2DConditionModel unet, ClipTextModel textEncoder, int rank, double alpha, NDManager manager) {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank must be ≥ 1, got " + rank);
        }
        LoraLayers all = new LoraLayers(unet, textEncoder);
        Map<String, Module> layers = new LinkedHashMap<>();
        Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
        all.paths().forEach(path -> {
            List<String> targets = path.startsWith(LoraLayers.UNET + ".") ? UNET_TARGETS : TEXT_TARGETS;
            if (all.layer(path) instanceof Linear layer && targets.stream().anyMatch(t -> path.endsWith("." + t))) {
                NDArray down = manager.randomNormal(0, 1f / rank, new Shape(rank, layer.in), DataType.FLOAT32);
                NDArray up = manager.zeros(new Shape(layer.out, rank), DataType.FLOAT32);
                LoraAdapter adapter = new LoraAdapter(down, up, alpha);
                layer.addAdapter(adapter);
                adapters.put(path, adapter);
                layers.put(path, layer);
            }
        });
        return new LoraNetwork(adapters, layers, null, List.of());
    }

    /** Loads a LoRA file onto a pipeline's models at the given weight (the web UIs' {@code <lora:name:0.8>}). */
    public static LoraNetwork load(
            Path file, UNet2DConditionModel unet, ClipTextModel textEncoder, double weight, NDManager manager) {
        return load(file, unet, textEncoder, weight, Double.NaN, manager);
    }

    /**
     * As {@link #load(Path, UNet2DConditionModel, ClipTextModel, double, NDManager)}, with the alpha the adapters
     * were trained with when the file doesn't say (a training checkpoint); NaN: from the file, else the rank.
     * All or nothing: on any error the models are left as they were.
     */
    public static LoraNetwork load(
            Path file,
            UNet2DConditionModel unet,
            ClipTextModel textEncoder,
            double weight,
            double knownAlpha,
            NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new EngineException(file + ": LoRA file not found");
        }
        LoraLayers all = new LoraLayers(unet, textEncoder);
        Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
        Map<String, Module> layers = new LinkedHashMap<>();
        List<String> unmatched = new ArrayList<>();
        // Its own manager: a notebook loads a LoRA for every generation, and each copy must go when it is removed.
        NDManager owned = manager.newSubManager();
        boolean ok = false;
        try (SafeTensors f = SafeTensors.open(file)) {
            refuseOtherFamilies(file, f);
            // layer path → {down key, up key, alpha key}
            Map<String, String[]> parts = new LinkedHashMap<>();
            for (String key : f.keys()) {
                Matcher m = ROLE.matcher(key);
                String path = m.matches() ? all.pathOf(normalise(m.group(1) != null ? m.group(1) : m.group(6))) : null;
                if (path == null) {
                    unmatched.add(key);
                    continue;
                }
                String role = m.group(2) != null
                        ? m.group(2)
                        : m.group(3) != null
                                ? m.group(3)
                                : m.group(4) != null
                                        ? (m.group(4).equals("A") ? "down" : "up")
                                        : m.group(5) != null ? m.group(5) : "alpha";
                int slot = role.equals("down") ? 0 : role.equals("up") ? 1 : 2;
                parts.computeIfAbsent(path, p -> new String[3])[slot] = key;
            }
            double fileAlpha = Double.parseDouble(f.metadata().getOrDefault("alpha", Double.toString(knownAlpha)));
            for (Map.Entry<String, String[]> e : parts.entrySet()) {
                String[] keys = e.getValue();
                if (keys[0] == null || keys[1] == null) {
                    throw new EngineException(
                            file + ": " + (keys[0] != null ? keys[0] : keys[1] != null ? keys[1] : keys[2])
                                    + " has no matching " + (keys[0] == null ? "down" : "up") + " weight;"
                                    + " the file is incomplete");
                }
                Module layer = all.layer(e.getKey());
                NDArray down = f.read(keys[0], owned, DataType.FLOAT32);
                NDArray up = f.read(keys[1], owned, DataType.FLOAT32);
                double alpha = keys[2] != null
                        ? f.read(keys[2], owned, DataType.FLOAT32).toFloatArray()[0]
                        : Double.isNaN(fileAlpha) ? down.getShape().get(0) : fileAlpha;
                LoraAdapter adapter = adapterFor(file, keys[0], layer, down, up, alpha);
                adapter.setMultiplier(weight);
                adapters.put(e.getKey(), adapter);
                layers.put(e.getKey(), layer);
            }
            if (adapters.isEmpty()) {
                throw new EngineException(file + ": no LoRA weights for this model (none of its "
                        + f.keys().size()
                        + " keys, e.g. " + String.join(", ", unmatched.subList(0, Math.min(3, unmatched.size())))
                        + ", names a layer of it; LyCORIS LoHa/LoKr files are not supported)");
            }
            ok = true;
        } finally {
            if (!ok) {
                owned.close();
            }
        }
        adapters.forEach((path, adapter) -> attach(layers.get(path), adapter)); // all or nothing
        return new LoraNetwork(adapters, layers, owned, unmatched);
    }

    /** SDXL and other families share the Kohya layout: say so in one line instead of a list of shape errors. */
    private static void refuseOtherFamilies(Path file, SafeTensors f) {
        for (String key : f.keys()) {
            if (key.startsWith("lora_te2_") || key.startsWith("text_encoder_2.")) {
                throw new EngineException(file + ": an SDXL LoRA (it adapts a second text encoder, " + key + ");"
                        + " this model is Stable Diffusion 1.x/2.x — use a LoRA made for SD 1.5/2.x");
            }
        }
    }

    /**
     * Turns the older diffusers names of a layer into module paths: attention-processor keys
     * ({@code attn1.processor.to_q_lora}, text encoder {@code self_attn.to_q_lora}) and PEFT keys without their
     * component ({@code down_blocks.…}, {@code text_model.…}, PEFT's {@code base_model.model.} wrapper).
     */
    private static String normalise(String name) {
        String n = name.startsWith("base_model.model.") ? name.substring("base_model.model.".length()) : name;
        if (n.startsWith("text_model.")) {
            n = LoraLayers.TEXT_ENCODER + "." + n;
        } else if (n.startsWith("down_blocks.")
                || n.startsWith("mid_block.")
                || n.startsWith("up_blocks.")
                || n.startsWith("conv_")
                || n.startsWith("time_embedding.")) {
            n = LoraLayers.UNET + "." + n;
        }
        n = n.replace(".processor.", ".");
        if (n.startsWith(LoraLayers.TEXT_ENCODER + ".")) {
            for (String p : new String[] {"q", "k", "v", "out"}) {
                n = n.endsWith(".to_" + p) ? n.substring(0, n.length() - 4 - p.length()) + "." + p + "_proj" : n;
            }
        } else if (n.endsWith(".to_out")) {
            n = n + ".0";
        }
        return n;
    }

    /** Checks the shapes against the layer and brings a 1×1 convolution's factors to a linear layer's, or back. */
    private static LoraAdapter adapterFor(Path file, String key, Module layer, NDArray down, NDArray up, double alpha) {
        long rank = down.getShape().get(0);
        long in;
        long out;
        int kernel;
        if (layer instanceof Linear linear) {
            in = linear.in;
            out = linear.out;
            kernel = 1;
        } else {
            Conv2d conv = (Conv2d) layer;
            in = conv.in;
            out = conv.out;
            kernel = conv.kernel;
        }
        long downIn = down.getShape().dimension() > 1 ? down.getShape().get(1) : -1;
        long downKernel = down.getShape().dimension() == 4 ? down.getShape().get(2) : 1;
        boolean fits = downIn == in
                && up.getShape().get(0) == out
                && up.getShape().get(1) == rank
                && up.getShape().size() == out * rank
                && (downKernel == kernel || downKernel == 1 && kernel == 1);
        if (!fits) {
            throw new EngineException(file + ": " + key + " has shape " + down.getShape() + " for a layer of " + in
                    + " inputs and " + out + " outputs; the LoRA was made for another model family (SDXL, SD 2.x"
                    + " or SD 1.x)");
        }
        if (layer instanceof Linear) {
            return new LoraAdapter(down.reshape(rank, in), up.reshape(out, rank), alpha);
        }
        return new LoraAdapter(down.reshape(rank, in, kernel, kernel), up.reshape(out, rank, 1, 1), alpha);
    }

    private static void attach(Module layer, LoraAdapter adapter) {
        if (layer instanceof Linear linear) {
            linear.addAdapter(adapter);
        } else {
            ((Conv2d) layer).addAdapter(adapter);
        }
    }

    /** The file's keys that name no layer of the model (kept, not silently dropped: the caller shows them). */
    public List<String> unmatched() {
        return unmatched;
    }

    /** "N keys of FILE match no layer of this model: a, b, c, …", or null when every key was used. */
    public String unmatchedNote(Path file) {
        if (unmatched.isEmpty()) {
            return null;
        }
        List<String> first = unmatched.subList(0, Math.min(3, unmatched.size()));
        return unmatched.size() + " key" + (unmatched.size() == 1 ? "" : "s") + " of " + file.getFileName()
                + " match no layer of this model and were not applied: " + String.join(", ", first)
                + (unmatched.size() > first.size() ? ", …" : "");
    }

    /** Number of layers this network adapts. */
    public int size() {
        return adapters.size();
    }

    /** The trainable tensors, named with their file keys. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        adapters.forEach((prefix, adapter) -> {
            String kind = prefix.startsWith(LoraLayers.TEXT_ENCODER + ".") ? ".lora_linear_layer" : ".lora";
            named.put(prefix + kind + ".down.weight", adapter.down());
            named.put(prefix + kind + ".up.weight", adapter.up());
        });
        return named;
    }

    public void setWeight(double weight) {
        adapters.values().forEach(a -> a.setMultiplier(weight));
    }

    /**
     * Takes this network's adapters off their layers; other LoRAs on the same models stay. A loaded network's
     * tensors are freed with it.
     */
    public void remove() {
        layers.forEach((path, layer) -> {
            if (layer instanceof Linear linear) {
                linear.removeAdapter(adapters.get(path));
            } else {
                ((Conv2d) layer).removeAdapter(adapters.get(path));
            }
        });
        if (loaded != null) {
            loaded.close();
        }
    }

    /** Writes the adapters as one diffusers-layout safetensors file (atomically), rank and alpha in its metadata. */
    public void save(Path file) {
        save(file, LoraFormat.DIFFUSERS);
    }

    /**
     * Writes the adapters in diffusers' or Kohya's layout (atomically). Kohya's carries each layer's alpha as a
     * scalar tensor and sd-scripts' {@code ss_network_dim} / {@code ss_network_alpha} metadata, so A1111 and ComfyUI
     * apply it at the same strength.
     */
    public void save(Path file, LoraFormat format) {
        LoraAdapter any = adapters.values().iterator().next();
        String rank = Integer.toString(any.rank());
        String alpha = Double.toString(any.alpha());
        if (format == LoraFormat.DIFFUSERS) {
            SafeTensors.write(parameters(), Map.of("format", "pt", "rank", rank, "alpha", alpha), file);
            return;
        }
        if (format != LoraFormat.KOHYA) { // DreamBoothSettings refuses the others before training
            throw new IllegalArgumentException("Easel writes LoRAs in the diffusers or kohya layout, not " + format);
        }
        try (NDManager scalars = any.down().getManager().newSubManager()) {
            Map<String, NDArray> named = new LinkedHashMap<>();
            adapters.forEach((path, adapter) -> {
                String name = LoraLayers.kohyaName(path);
                named.put(name + ".lora_down.weight", adapter.down());
                named.put(name + ".lora_up.weight", adapter.up());
                named.put(name + ".alpha", scalars.create((float) adapter.alpha()));
            });
            SafeTensors.write(
                    named,
                    Map.of(
                            "format",
                            "pt",
                            "ss_network_dim",
                            rank,
                            "ss_network_alpha",
                            alpha,
                            "ss_network_module",
                            "networks.lora"),
                    file);
        }
    }
}
