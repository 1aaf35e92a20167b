package dev.easel.engine.pipeline;

import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SigmaSchedule;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an image was made, in AUTOMATIC1111's {@code parameters} text format, which A1111, ComfyUI and image sites read.
 * The one writer ({@link #toA1111()}) and reader ({@link #parse}) of that text: every PNG Easel writes — the command
 * line's, the notebook's, a sweep's cells and grid, DreamBooth's class images — carries it under {@link #PNG_KEY}.
 * <pre>
 * a red circle
 * Negative prompt: blurry
 * Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: tiny-sd
 * </pre>
 * The negative line is left out when there is no negative prompt. {@code extra} holds further fields in order
 * (e.g. {@code Denoising strength}, {@code Clip skip}, {@code Eta}). A value holding a comma, colon, quote or line
 * break is written as a JSON string, as A1111 does.
 */
public record GenerationParameters(String prompt, String negativePrompt, int steps, String sampler, double cfgScale,
                                   long seed, int width, int height, String model, Map<String, String> extra) {

    /** The PNG text chunk key A1111 uses. */
    public static final String PNG_KEY = "parameters";

    /** The order A1111 writes its fields in; Easel's own extras follow them. */
    private static final List<String> A1111_ORDER = List.of("Steps", "Sampler", "Schedule type", "CFG scale", "Seed",
            "Size", "Model hash", "Model", "Variation seed", "Variation seed strength", "Denoising strength",
            "Clip skip", "Hires upscale", "Hires resize", "Hires steps", "Hires upscaler", "Lora hashes");

    private static final Pattern FIELD = Pattern.compile("\\s*([\\w \\-/+]+):\\s*(\"(?:\\\\.|[^\\\\\"])*\"|[^,]*)(?:,|$)");

    public GenerationParameters {
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /**
     * The parameters of batch entry {@code index} of a generation with {@code s} on the model called {@code model}
     * (may be null): the entry's prompt and negative prompt, and the fields the settings change from the engine's
     * behaviour without them — clip skip in A1111's counting (1 = last layer), eta, batch size and position.
     */
    public static GenerationParameters of(GenerationSettings s, int index, String model) {
        int prompt = index / s.imagesPerPrompt();
        String negative = s.negativePrompts().isEmpty() ? ""
                : s.negativePrompts().get(s.negativePrompts().size() == 1 ? 0 : prompt);
        GenerationParameters p = new GenerationParameters(s.prompts().get(prompt), negative, s.steps(),
                Samplers.info(s.sampler()).displayName(), s.guidanceScale(), s.seed(), s.width(), s.height(), model,
                Map.of());
        SigmaSchedule schedule = Samplers.effectiveSchedule(s.sampler(), s.schedule());
        if (schedule != SigmaSchedule.DEFAULT) {
            // A1111 1.9+ writes the base sampler and the schedule apart ("DPM++ 2M", "Schedule type: Karras")
            String id = Samplers.resolve(s.sampler());
            p = new GenerationParameters(p.prompt(), negative, s.steps(),
                    Samplers.info(id.endsWith("_karras") ? id.substring(0, id.length() - 7) : id).displayName(),
                    s.guidanceScale(), s.seed(), s.width(), s.height(), model, Map.of())
                    .with("Schedule type", schedule.displayName());
        }
        if (s.subseedStrength() > 0) {
            p = p.with("Variation seed", s.subseed()).with("Variation seed strength", s.subseedStrength());
        }
        if (s.hires() != null) {
            p = p.with("Denoising strength", s.hires().denoisingStrength());
        }
        if (s.clipSkip() > 0) {
            p = p.with("Clip skip", s.clipSkip() + 1);
        }
        if (s.hires() != null) {
            HiresFix h = s.hires();
            p = h.upscaleField() != null ? p.with("Hires upscale", h.upscaleField())
                    : p.with("Hires resize", h.width() + "x" + h.height());
            if (h.steps() > 0) {
                p = p.with("Hires steps", h.steps());
            }
            p = p.with("Hires upscaler", h.upscaler().displayName());
        }
        if (s.plainPrompt()) {
            p = p.with("Plain prompt", "True");
        }
        if (s.eta() > 0) {
            p = p.with("Eta", s.eta());
        }
        if (s.batchSize() > 1) {
            p = p.with("Batch size", s.batchSize()).with("Batch pos", index);
        }
        return p;
    }

    /** A copy naming the LoRAs applied ({@code LoRA: file:weight, …}); none leaves it as it is. */
    public GenerationParameters withLoras(List<LoraSpec> loras) {
        if (loras.isEmpty()) {
            return this;
        }
        return with("LoRA", String.join(", ", loras.stream()
                .map(l -> l.file().getFileName() + ":" + number(l.weight())).toList()));
    }

    /** The PNG text chunks that carry these parameters. */
    public Map<String, String> pngText() {
        return Map.of(PNG_KEY, toA1111());
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
        // A1111's order, whichever of these came as extras (Schedule type belongs after Sampler)
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : A1111_ORDER) {
            if (fields.containsKey(name)) {
                ordered.put(name, fields.remove(name));
            }
        }
        ordered.putAll(fields);
        fields = ordered;
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
