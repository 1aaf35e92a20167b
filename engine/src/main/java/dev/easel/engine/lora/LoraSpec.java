package dev.easel.engine.lora;

import dev.easel.engine.BadValueException;
import dev.easel.engine.io.UserPath;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code FILE[:WEIGHT]} as typed after {@code --lora}: a LoRA file and the weight to apply it at (default 1). */
public record LoraSpec(Path file, double weight) {

    /** {@link #parse(String, Path)} relative to the working directory. */
    public static LoraSpec parse(String text) {
        return parse(text, Path.of(""));
    }

    /**
     * Reads {@code FILE[:WEIGHT]}, the file relative to {@code base}. A path may itself hold a colon, so text after the
     * last colon that is no number belongs to the path — unless the part before it is a file and the whole is not:
     * then the weight was mistyped, and that is the one-line error.
     */
    public static LoraSpec parse(String text, Path base) {
        int colon = text.lastIndexOf(':');
        if (colon > 0) {
            String path = text.substring(0, colon);
            String weight = text.substring(colon + 1);
            try {
                double w = Double.parseDouble(weight);
                if (!Double.isFinite(w)) {
                    throw new BadValueException("the LoRA weight '" + weight + "' is not a finite number;"
                            + " write FILE:WEIGHT, e.g. " + path + ":0.8");
                }
                return new LoraSpec(UserPath.resolve(base, path), w);
            } catch (NumberFormatException notAWeight) {
                if (Files.isRegularFile(UserPath.resolve(base, path)) && !Files.exists(UserPath.resolve(base, text))) {
                    throw new BadValueException("the weight '" + weight + "' is not a number; write FILE:WEIGHT,"
                            + " e.g. " + path + ":0.8");
                }
            }
        }
        return new LoraSpec(UserPath.resolve(base, text), 1.0);
    }
}
