package dev.easel.notebook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an image was made, in AUTOMATIC1111's {@code parameters} text format, which A1111, ComfyUI and image sites read:
 * <pre>
 * a red circle
 * Negative prompt: blurry
 * Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: tiny-sd
 * </pre>
 * The negative line is left out when there is no negative prompt. {@code extra} holds further fields in order
 * (e.g. {@code Denoising strength}, {@code Clip skip}, {@code Eta}).
 */
public record GenerationParameters(String prompt, String negativePrompt, int steps, String sampler, double cfgScale,
                                   long seed, int width, int height, String model, Map<String, String> extra) {

    /** The PNG text chunk key A1111 uses. */
    public static final String PNG_KEY = "parameters";

    private static final Pattern FIELD = Pattern.compile("\\s*([\\w \\-/+]+):\\s*(\"(?:\\\\.|[^\\\\\"])*\"|[^,]*)(?:,|$)");

    public GenerationParameters {
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** A copy with one more (or a replaced) extra field. */
    public GenerationParameters with(String field, Object value) {
        Map<String, String> more = new LinkedHashMap<>(extra);
        more.put(field, value instanceof Double d ? number(d) : String.valueOf(value));
        return new GenerationParameters(prompt, negativePrompt, steps, sampler, cfgScale, seed, width, height, model,
                more);
    }

    public GenerationParameters withSeed(long newSeed) {
        return new GenerationParameters(prompt, negativePrompt, steps, sampler, cfgScale, newSeed, width, height, model,
                extra);
    }

    /** The A1111 text. */
    public String toA1111() {
        StringBuilder out = new StringBuilder(prompt);
        if (!negativePrompt.isEmpty()) {
            out.append("\nNegative prompt: ").append(negativePrompt);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Steps", String.valueOf(steps));
        fields.put("Sampler", sampler);
        fields.put("CFG scale", number(cfgScale));
        fields.put("Seed", String.valueOf(seed));
        fields.put("Size", width + "x" + height);
        if (model != null && !model.isEmpty()) {
            fields.put("Model", model);
        }
        fields.putAll(extra);
        StringBuilder line = new StringBuilder();
        fields.forEach((k, v) -> line.append(line.isEmpty() ? "" : ", ").append(k).append(": ").append(quote(v)));
        return out.append('\n').append(line).toString();
    }

    /**
     * Reads the A1111 text back. Lenient like A1111's own reader: the last line holding {@code Steps:} is the field
     * line, lines before {@code Negative prompt:} are the prompt.
     */
    public static GenerationParameters parse(String text) {
        String[] lines = text.strip().split("\n", -1);
        int fieldLine = lines.length - 1;
        boolean hasFields = lines[fieldLine].contains("Steps:");
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = null;
        for (int i = 0; i < (hasFields ? fieldLine : lines.length); i++) {
            String l = lines[i];
            if (negative == null && l.startsWith("Negative prompt:")) {
                negative = new StringBuilder(l.substring("Negative prompt:".length()).strip());
            } else if (negative != null) {
                negative.append('\n').append(l);
            } else {
                prompt.append(prompt.isEmpty() ? "" : "\n").append(l);
            }
        }
        Map<String, String> fields = new LinkedHashMap<>();
        if (hasFields) {
            Matcher m = FIELD.matcher(lines[fieldLine]);
            while (m.find() && !m.group(0).isEmpty()) {
                fields.put(m.group(1).strip(), unquote(m.group(2).strip()));
            }
        }
        int width = 0;
        int height = 0;
        String size = fields.remove("Size");
        if (size != null && size.toLowerCase(Locale.ROOT).matches("\\d+x\\d+")) {
            String[] wh = size.toLowerCase(Locale.ROOT).split("x");
            width = Integer.parseInt(wh[0]);
            height = Integer.parseInt(wh[1]);
        }
        return new GenerationParameters(prompt.toString(), negative == null ? "" : negative.toString(),
                (int) parseLong(fields.remove("Steps")), fields.remove("Sampler"),
                parseDouble(fields.remove("CFG scale")), parseLong(fields.remove("Seed")), width, height,
                fields.remove("Model"), fields);
    }

    /** A number as A1111 writes it: {@code 7}, not {@code 7.0}. */
    public static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.valueOf(value);
    }

    /** A1111 quotes a value holding a comma, colon or quote as a JSON string. */
    private static String quote(String value) {
        if (value == null) {
            return "";
        }
        if (!value.contains(",") && !value.contains(":") && !value.contains("\"") && !value.contains("\n")) {
            return value;
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\n", "\n").replace("\\\"", "\"")
                    .replace("\\\\", "\\");
        }
        return value;
    }

    private static long parseLong(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double parseDouble(String text) {
        try {
            return text == null ? 0 : Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
