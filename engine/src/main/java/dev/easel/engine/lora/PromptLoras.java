package dev.easel.engine.lora;

import dev.easel.engine.EngineException;
import dev.easel.engine.io.Folders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A1111's {@code <lora:name:weight>} tags inside a prompt: the named LoRA from a LoRA folder at that weight
 * (default 1), and the tag taken out of the text the text encoder reads. The folder is {@code --lora-dir}, else the
 * {@code EASEL_LORA_DIR} environment variable, else {@code Lora/} or {@code lora/} beside the model.
 */
public final class PromptLoras {

    private static final Pattern TAG = Pattern.compile("<lora:([^:>]+)(?::([^:>]*))?>");
    private static final String ENV = "EASEL_LORA_DIR";

    private PromptLoras() {}

    /** The prompt without its LoRA tags (and the spaces they leave), as the text encoder must see it. */
    public static String strip(String prompt) {
        return prompt == null
                ? null
                : TAG.matcher(prompt)
                        .replaceAll("")
                        .replaceAll("\\s{2,}", " ")
                        .strip()
                        .replaceAll("\\s+,", ",");
    }

    /** Whether a prompt holds a LoRA tag. */
    public static boolean hasTags(String prompt) {
        return prompt != null && TAG.matcher(prompt).find();
    }

    /**
     * The LoRAs the prompts name, each once (the first weight given wins), resolved in {@code folder}: a file
     * {@code name.safetensors} there or below it. One line for a bad weight or a name with no file.
     */
    public static List<LoraSpec> find(List<String> prompts, Path folder) {
        return find(prompts, folder, Set.of());
    }

    /** {@link #find(List, Path)} leaving out the tags named in {@code given} (LoRAs given as files instead). */
    public static List<LoraSpec> find(List<String> prompts, Path folder, Set<String> given) {
        Map<String, Double> named = new LinkedHashMap<>();
        for (String prompt : prompts) {
            Matcher m = TAG.matcher(prompt == null ? "" : prompt);
            while (m.find()) {
                String name = m.group(1).strip();
                double weight = 1.0;
                if (m.group(2) != null && !m.group(2).isBlank()) {
                    try {
                        weight = Double.parseDouble(m.group(2).strip());
                    } catch (NumberFormatException e) {
                        throw new EngineException(m.group() + ": the weight '" + m.group(2) + "' is not a number;"
                                + " write <lora:" + name + ":0.8>");
                    }
                }
                if (!given.contains(name)) {
                    named.putIfAbsent(name, weight);
                }
            }
        }
        List<LoraSpec> specs = new ArrayList<>();
        named.forEach((name, weight) -> specs.add(new LoraSpec(resolve(name, folder), weight)));
        return specs;
    }

    /** {@code --lora-dir} if given, else {@code EASEL_LORA_DIR}, else {@code Lora/} or {@code lora/} beside the model. */
    public static Path folder(Path explicit, Path model) {
        return Folders.beside(explicit, ENV, model, "Lora", "lora");
    }

    private static Path resolve(String name, Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            throw new EngineException("<lora:" + name + ">: the LoRA folder " + folder + " does not exist; give one"
                    + " with --lora-dir DIR or EASEL_LORA_DIR");
        }
        Path direct = folder.resolve(name.endsWith(".safetensors") ? name : name + ".safetensors");
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        String file = direct.getFileName().toString();
        try (Stream<Path> walk = Files.walk(folder, 4)) {
            Optional<Path> found = walk.filter(p -> p.getFileName().toString().equals(file))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .findFirst();
            return found.orElseThrow(() -> new EngineException("<lora:" + name + ">: no " + file + " in " + folder
                    + " (give the folder with --lora-dir DIR or EASEL_LORA_DIR)"));
        } catch (IOException e) {
            throw new EngineException(folder + ": cannot search the LoRA folder (" + e.getMessage() + ")");
        }
    }
}
