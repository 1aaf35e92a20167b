package dev.easel.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.LoraAdapter;
import dev.easel.engine.nn.Module;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters on a pipeline's attention projections — the UNet's {@code to_q}, {@code to_k}, {@code to_v},
 * {@code to_out.0} and optionally the text encoder's {@code q_proj}, {@code k_proj}, {@code v_proj},
 * {@code out_proj} — saved as one {@code .safetensors} with diffusers' keys
 * ({@code unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight}, {@code …lora.up.weight};
 * text encoder: {@code text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_linear_layer.down.weight}).
 */
public final class LoraNetwork {

    private static final List<String> UNET_TARGETS = List.of("to_q", "to_k", "to_v", "to_out.0");
    private static final List<String> TEXT_TARGETS = List.of("q_proj", "k_proj", "v_proj", "out_proj");

    /** Adapter key prefix (e.g. {@code unet.…attn1.to_q}) → its adapter. */
    private final Map<String, LoraAdapter> adapters;
    private final Map<String, Linear> layers;
    /** The tensors of a loaded network, freed by {@link #remove}; null for one made for training. */
    private final NDManager loaded;

    private LoraNetwork(Map<String, LoraAdapter> adapters, Map<String, Linear> layers, NDManager loaded) {
        this.adapters = adapters;
        this.layers = layers;
        this.loaded = loaded;
    }

    /**
     * New adapters for training: A ~ N(0, 1/rank), B = 0 (so training starts from the base model), as diffusers'
     * LoRALinearLayer initialises them.
     */
    public static LoraNetwork create(UNet2DConditionModel unet, ClipTextModel textEncoder, int rank, double alpha,
                                     NDManager manager) {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank must be ≥ 1, got " + rank);
        }
        Map<String, Linear> layers = targets(unet, textEncoder);
        Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
        layers.forEach((key, layer) -> {
            NDArray down = manager.randomNormal(0, 1f / rank, new Shape(rank, layer.in), DataType.FLOAT32);
            NDArray up = manager.zeros(new Shape(layer.out, rank), DataType.FLOAT32);
            LoraAdapter adapter = new LoraAdapter(down, up, alpha);
            layer.addAdapter(adapter);
            adapters.put(key, adapter);
        });
        return new LoraNetwork(adapters, layers, null);
    }

    /** Loads a LoRA file onto a pipeline's models at the given weight (the web UIs' {@code <lora:name:0.8>}). */
    public static LoraNetwork load(Path file, UNet2DConditionModel unet, ClipTextModel textEncoder, double weight,
                                   NDManager manager) {
        return load(file, unet, textEncoder, weight, Double.NaN, manager);
    }

    /**
     * As {@link #load(Path, UNet2DConditionModel, ClipTextModel, double, NDManager)}, with the alpha the adapters
     * were trained with when the file doesn't say (a training checkpoint); NaN: from the file, else the rank.
     */
    public static LoraNetwork load(Path file, UNet2DConditionModel unet, ClipTextModel textEncoder, double weight,
                                   double knownAlpha, NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new EngineException(file + ": LoRA file not found");
        }
        Map<String, Linear> candidates = targets(unet, textEncoder);
        Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
        Map<String, Linear> layers = new LinkedHashMap<>();
        // Its own manager: a notebook loads a LoRA for every generation, and each copy must go when it is removed.
        NDManager owned = manager.newSubManager();
        boolean ok = false;
        try (SafeTensors f = SafeTensors.open(file)) {
            double alpha = Double.parseDouble(f.metadata().getOrDefault("alpha", Double.toString(knownAlpha)));
            for (String key : f.keys()) {
                String prefix = prefixOf(key);
                if (prefix == null || !key.endsWith(".down.weight")) {
                    continue;
                }
                Linear layer = candidates.get(prefix);
                if (layer == null) {
                    throw new EngineException(file + ": " + key + " names no attention projection of this model;"
                            + " the LoRA was made for another architecture");
                }
                NDArray down = f.read(key, owned, DataType.FLOAT32);
                String upKey = key.substring(0, key.length() - ".down.weight".length()) + ".up.weight";
                if (!f.contains(upKey)) {
                    throw new EngineException(file + ": missing key " + upKey);
                }
                NDArray up = f.read(upKey, owned, DataType.FLOAT32);
                if (down.getShape().get(1) != layer.in || up.getShape().get(0) != layer.out) {
                    throw new EngineException(file + ": " + key + " has shape " + down.getShape() + " for a layer of "
                            + layer.in + " inputs; the LoRA was made for another model");
                }
                LoraAdapter adapter = new LoraAdapter(down, up, Double.isNaN(alpha) ? down.getShape().get(0) : alpha);
                adapter.setMultiplier(weight);
                adapters.put(prefix, adapter);
                layers.put(prefix, layer);
            }
            if (adapters.isEmpty()) {
                throw new EngineException(file + ": no LoRA weights (keys ending in lora.down.weight) found");
            }
            ok = true;
        } finally {
            if (!ok) {
                owned.close();
            }
        }
        adapters.forEach((prefix, adapter) -> layers.get(prefix).addAdapter(adapter)); // all or nothing
        return new LoraNetwork(adapters, layers, owned);
    }

    /** The trainable tensors, named with their file keys. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        adapters.forEach((prefix, adapter) -> {
            String kind = prefix.startsWith("text_encoder.") ? ".lora_linear_layer" : ".lora";
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
        layers.forEach((prefix, layer) -> layer.removeAdapter(adapters.get(prefix)));
        if (loaded != null) {
            loaded.close();
        }
    }

    /** Writes the adapters as one safetensors file (atomically), with rank and alpha in its metadata. */
    public void save(Path file) {
        LoraAdapter any = adapters.values().iterator().next();
        SafeTensors.write(parameters(), Map.of("format", "pt", "rank", Integer.toString(any.rank()),
                "alpha", Double.toString(any.alpha())), file);
    }

    private static String prefixOf(String key) {
        for (String marker : new String[] {".lora.down.weight", ".lora.up.weight", ".lora_linear_layer.down.weight",
            ".lora_linear_layer.up.weight"}) {
            if (key.endsWith(marker)) {
                return key.substring(0, key.length() - marker.length());
            }
        }
        return null;
    }

    private static Map<String, Linear> targets(UNet2DConditionModel unet, ClipTextModel textEncoder) {
        Map<String, Linear> found = new LinkedHashMap<>();
        collect(unet, "unet", UNET_TARGETS, found);
        if (textEncoder != null) {
            collect(textEncoder, "text_encoder", TEXT_TARGETS, found);
        }
        return found;
    }

    private static void collect(Module module, String path, List<String> targets, Map<String, Linear> found) {
        module.children().forEach((name, child) -> {
            String childPath = path + "." + name;
            if (child instanceof Linear linear && targets.stream().anyMatch(childPath::endsWith)) {
                found.put(childPath, linear);
            } else {
                collect(child, childPath, targets, found);
            }
        });
    }
}
