package dev.easel.engine.lora;

import dev.easel.engine.BadValueException;
import java.util.Locale;

/** The key layouts LoRA files are shared in. Every one of them loads; Easel writes diffusers' or Kohya's. */
public enum LoraFormat {
    /** diffusers' {@code unet.….to_q.lora.down.weight} / {@code text_encoder.….lora_linear_layer.down.weight}. */
    DIFFUSERS,
    /** Kohya's sd-scripts, as A1111 and ComfyUI load them: {@code lora_unet_…​.lora_down.weight}, {@code .alpha}. */
    KOHYA,
    /** PEFT's {@code ….lora_A.weight} / {@code ….lora_B.weight}, what newer diffusers versions save. */
    PEFT;

    /** {@code diffusers}, {@code kohya} or {@code peft}, as typed after {@code --lora-format}. */
    public static LoraFormat parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadValueException("unknown LoRA format '" + text + "'; use diffusers or kohya");
        }
    }
}
