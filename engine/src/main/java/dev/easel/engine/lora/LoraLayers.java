package dev.easel.engine.lora;

import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Conv2d;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.Module;
import dev.easel.engine.weights.LdmKeys;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every layer of a pipeline a LoRA file may adapt (each {@link Linear} and {@link Conv2d} of the UNet and the text
 * encoder), found under each name the shared LoRA layouts give it:
 * <ul>
 *   <li>diffusers / PEFT: the module path with its component, {@code unet.down_blocks.0.attentions.0.proj_in},
 *       {@code text_encoder.text_model.encoder.layers.0.self_attn.q_proj};</li>
 *   <li>Kohya / A1111: the same path with dots as underscores behind {@code lora_unet_} or {@code lora_te_}
 *       ({@code lora_te1_}), {@code lora_unet_down_blocks_0_attentions_0_proj_in};</li>
 *   <li>Kohya files written against the original (LDM) UNet names, {@code lora_unet_input_blocks_1_1_proj_in}.</li>
 * </ul>
 * Kohya names cannot be turned back into paths by rule (underscores are also inside names such as {@code to_q}),
 * so the model's own paths are written in each layout and looked up.
 */
final class LoraLayers {

    static final String UNET = "unet";
    static final String TEXT_ENCODER = "text_encoder";
    static final String KOHYA_UNET = "lora_unet_";
    static final String KOHYA_TEXT = "lora_te_";
    private static final String KOHYA_TEXT1 = "lora_te1_";

    /** Diffusers path ({@code unet.…}, {@code text_encoder.…}) → layer, in model order. */
    private final Map<String, Module> byPath = new LinkedHashMap<>();
    /** Any accepted name → diffusers path. */
    private final Map<String, String> aliases = new HashMap<>();

    LoraLayers(UNet2DConditionModel unet, ClipTextModel textEncoder) {
        collect(unet, UNET, byPath);
        if (textEncoder != null) {
            collect(textEncoder, TEXT_ENCODER, byPath);
        }
        for (String path : byPath.keySet()) {
            aliases.put(path, path);
            aliases.put(kohyaName(path), path);
            if (path.startsWith(TEXT_ENCODER + ".")) {
                aliases.put(KOHYA_TEXT1 + underscored(path.substring(TEXT_ENCODER.length() + 1)), path);
            } else {
                String ldm = LdmKeys.unet(path.substring(UNET.length() + 1) + ".weight", unet.config);
                String ldmPath = ldm.substring(LdmKeys.UNET.length(), ldm.length() - ".weight".length());
                aliases.putIfAbsent(KOHYA_UNET + underscored(ldmPath), path);
            }
        }
    }

    /** The diffusers path a name stands for, or null when it names no adaptable layer of this model. */
    String pathOf(String name) {
        return aliases.get(name);
    }

    /** Every adaptable layer's diffusers path, in model order. */
    java.util.Set<String> paths() {
        return byPath.keySet();
    }

    Module layer(String path) {
        return byPath.get(path);
    }

    /** A diffusers path's name in the Kohya layout. */
    static String kohyaName(String path) {
        if (path.startsWith(TEXT_ENCODER + ".")) {
            return KOHYA_TEXT + underscored(path.substring(TEXT_ENCODER.length() + 1));
        }
        return KOHYA_UNET + underscored(path.substring(UNET.length() + 1));
    }

    private static String underscored(String path) {
        return path.replace('.', '_');
    }

    private static void collect(Module module, String path, Map<String, Module> found) {
        module.children().forEach((name, child) -> {
            String childPath = path + "." + name;
            if (child instanceof Linear || child instanceof Conv2d) {
                found.put(childPath, child);
            } else {
                collect(child, childPath, found);
            }
        });
    }
}
