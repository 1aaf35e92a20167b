package dev.easel.magics.diffusion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.easel.magics.MagicException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The YAML body of a cell magic such as {@code %%xyz}, turned into the magic's own command-line options, so the body
 * and the line accept the same settings with the same checks: {@code steps: 20} is {@code --steps 20},
 * {@code train_text_encoder: true} is {@code --train-text-encoder}.
 */
final class YamlSettings {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private YamlSettings() {}

    /** SnakeYAML's several-line report as one line: what is wrong, and where. */
    private static String problem(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            return marked.getProblem() + " (body line "
                    + (marked.getProblemMark().getLine() + 1) + ", column "
                    + (marked.getProblemMark().getColumn() + 1) + ")";
        }
        String first = e.getOriginalMessage().lines().findFirst().orElse("").strip();
        return first
                + (e.getLocation() == null
                        ? ""
                        : " (body line " + e.getLocation().getLineNr() + ")");
    }

    /** The body as option text ({@code --key "value" …}); {@code restKey}'s value (e.g. the prompt) goes last, bare. */
    static String toArguments(String body, String restKey, String spelled) {
        if (body.isBlank()) {
            return "";
        }
        Map<String, Object> settings;
        try {
            Object parsed = YAML.readValue(body, Object.class);
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new MagicException(spelled + ": the cell body must be YAML settings, one 'name: value' per line");
            }
            settings = new LinkedHashMap<>();
            map.forEach((k, v) -> settings.put(String.valueOf(k), v));
        } catch (JsonProcessingException e) {
            throw new MagicException(spelled + ": the cell body is not valid YAML: " + problem(e)
                    + "; write one 'name: value' per line");
        }
        StringBuilder args = new StringBuilder();
        String rest = null;
        for (Map.Entry<String, Object> entry : settings.entrySet()) {
            String option = entry.getKey().strip().replace('_', '-');
            Object value = entry.getValue();
            if (option.equals(restKey)) {
                rest = String.valueOf(value);
            } else if (value instanceof Boolean flag) {
                if (flag) {
                    args.append("--").append(option).append(' ');
                }
            } else if (value != null) {
                args.append("--")
                        .append(option)
                        .append(' ')
                        .append(quote(String.valueOf(value)))
                        .append(' ');
            }
        }
        if (rest != null) {
            args.append(quote(rest));
        }
        return args.toString().strip();
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
