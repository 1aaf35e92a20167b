package dev.easel.engine.lora;

import java.nio.file.Path;

/** {@code FILE[:WEIGHT]} as typed after {@code --lora}: a LoRA file and the weight to apply it at (default 1). */
public record LoraSpec(Path file, double weight) {

    public static LoraSpec parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon > 0) {
            try {
                return new LoraSpec(Path.of(text.substring(0, colon)), Double.parseDouble(text.substring(colon + 1)));
            } catch (NumberFormatException notAWeight) {
                // a path that contains ':' and no weight
            }
        }
        return new LoraSpec(Path.of(text), 1.0);
    }
}
