package dev.easel.engine.pipeline;

import dev.easel.engine.EngineException;
import dev.easel.engine.io.ImageFiles;
import dev.easel.engine.io.Png;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SigmaSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * break is written as a JSON string, as A1111 does. A1111's own fields come first, in its order ({@code Model hash},
 * {@code Variation seed}, {@code Hires upscale}, {@code Lora hashes}, …), Easel's extras after them; LoRAs are named
 * as A1111 names them, {@code <lora:name:weight>} in the prompt and their short hashes in {@code Lora hashes}.
 *
 * <p>{@link #recipe()} turns the text back into settings that re-make the image — Easel's text and A1111's alike —
 * and names, one line each, every field Easel cannot apply ({@code Face restoration}, {@code ADetailer …}, a sampler
 * it lacks), so nothing is dropped silently.
 */
public record GenerationParameters(
        String prompt,
        String negativePrompt,
        int steps,
        String sampler,
        double cfgScale,
        long seed,
        int width,
        int height,
        String model,
        Map<String, String> extra) {

    /** The PNG text chunk key A1111 uses. */
    public static final String PNG_KEY = "parameters";

    /** The order A1111 writes its fields in; Easel's own extras follow them. */
    private static final List<String> A1111_ORDER = List.of(
            "Steps",
            "Sampler",
            "Schedule type",
            "CFG scale",
            "Seed",
            "Size",
            "Model hash",
            "Model",
            "Variation seed",
            "Variation seed strength",
            "Denoising strength",
            "Clip skip",
            "Hires upscale",
            "Hires resize",
            "Hires steps",
            "Hires upscaler",
            "Lora hashes");

    private static final Pattern FIELD =
            Pattern.compile("\\s*([\\w \\-/+]+):\\s*(\"(?:\\\\.|[^\\\\\"])*\"|[^,]*)(?:,|$)");

    /** Longer than any real parameters text; a file claiming more is not read as one. */
    private static final int MAX_TEXT = 1 << 20;

    /** A1111's fields that say nothing about how the pixels were made; reading them back applies nothing. */
    private static final List<String> INFORMATIONAL =
            List.of("Version", "Batch size", "Batch pos", "Lora hashes", "TI hashes", "Model", "Model hash");

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
        String negative = s.negativePrompts().isEmpty()
                ? ""
                : s.negativePrompts().get(s.negativePrompts().size() == 1 ? 0 : prompt);
        GenerationParameters p = new GenerationParameters(
                s.prompts().get(prompt),
                negative,
                s.steps(),
                Samplers.info(s.sampler()).displayName(),
                s.guidanceScale(),
                s.seed(),
                s.width(),
                s.height(),
                model,
                Map.of());
        SigmaSchedule schedule = Samplers.effectiveSchedule(s.sampler(), s.schedule());
        if (schedule != SigmaSchedule.DEFAULT) {
            // A1111 1.9+ writes the base sampler and the schedule apart ("DPM++ 2M", "Schedule type: Karras")
            String id = Samplers.resolve(s.sampler());
            p = new GenerationParameters(
                            p.prompt(),
                            negative,
                            s.steps(),
                            Samplers.info(id.endsWith("_karras") ? id.substring(0, id.length() - 7) : id)
                                    .displayName(),
                            s.guidanceScale(),
                            s.seed(),
                            s.width(),
                            s.height(),
                            model,
                            Map.of())
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
            p = h.upscaleField() != null
                    ? p.with("Hires upscale", h.upscaleField())
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
        if (s.spacing() != null) {
            p = p.with("Timestep spacing", s.spacing().configName());
        }
        if (s.batchSize() > 1) {
            p = p.with("Batch size", s.batchSize()).with("Batch pos", index);
        }
        return p;
    }

    /**
     * A copy naming the LoRAs applied as A1111 does: each as {@code <lora:name:weight>} in the prompt (unless the
     * prompt already has a tag of that name) and with its short hash in {@code Lora hashes}; none leaves it as it is.
     * A prompt's own tags stay, so reading it back applies the same LoRAs from the LoRA folder.
     */
    public GenerationParameters withLoras(List<LoraSpec> loras) {
        if (loras.isEmpty()) {
            return this;
        }
        StringBuilder tagged = new StringBuilder(prompt);
        Map<String, String> hashes = new LinkedHashMap<>();
        for (LoraSpec l : loras) {
            String name = loraName(l.file());
            if (!Pattern.compile("<lora:" + Pattern.quote(name) + "(:[^>]*)?>")
                    .matcher(tagged)
                    .find()) {
                tagged.append(tagged.isEmpty() ? "" : " ")
                        .append("<lora:")
                        .append(name)
                        .append(':')
                        .append(number(l.weight()))
                        .append('>');
            }
            if (Files.isRegularFile(l.file())) {
                // A1111 drops what would break its "name: hash, …" list
                hashes.putIfAbsent(name.replace(":", "").replace(",", ""), ModelHash.loraHash(l.file()));
            }
        }
        GenerationParameters p = new GenerationParameters(
                tagged.toString(), negativePrompt, steps, sampler, cfgScale, seed, width, height, model, extra);
        return hashes.isEmpty()
                ? p
                : p.with(
                        "Lora hashes",
                        String.join(
                                ", ",
                                hashes.entrySet().stream()
                                        .map(e -> e.getKey() + ": " + e.getValue())
                                        .toList()));
    }

    /** A copy with A1111's {@code Model hash} of a checkpoint file; a diffusers folder has none (A1111 hashes files). */
    public GenerationParameters withModelHash(Path modelFile) {
        String hash = modelFile == null ? null : ModelHash.shortHash(modelFile);
        return hash == null ? this : with("Model hash", hash);
    }

    /** The name a LoRA file goes by in a prompt tag: its file name without the extension. */
    public static String loraName(Path file) {
        return file.getFileName().toString().replaceFirst("\\.(safetensors|pt|ckpt|bin)$", "");
    }

    /**
     * A copy naming the VAE tiling {@code s} asked for when it changed the images — {@code tiled}, as the model's
     * {@link DiffusionPipeline#tilesVae} tells (Easel's own field: {@code VAE tiling: True} for tiles of the VAE's
     * sample size, else the tile size in pixels). Tiling that left the images as an untiled decode makes them (no
     * larger than one tile) is not named.
     */
    public GenerationParameters withVaeTiling(GenerationSettings s, boolean tiled) {
        if (!tiled || s.vaeTiling() == null) {
            return this;
        }
        int tile = s.vaeTiling().tileSize();
        return with("VAE tiling", tile == 0 ? "True" : String.valueOf(tile));
    }

    /** The PNG text chunks that carry these parameters. */
    public Map<String, String> pngText() {
        return Map.of(PNG_KEY, toA1111());
    }

    /** A copy with one more (or a replaced) extra field. */
    public GenerationParameters with(String field, Object value) {
        Map<String, String> more = new LinkedHashMap<>(extra);
        more.put(field, value instanceof Double d ? number(d) : String.valueOf(value));
        return new GenerationParameters(
                prompt, negativePrompt, steps, sampler, cfgScale, seed, width, height, model, more);
    }

    public GenerationParameters withSeed(long newSeed) {
        return new GenerationParameters(
                prompt, negativePrompt, steps, sampler, cfgScale, newSeed, width, height, model, extra);
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
        fields.forEach((k, v) ->
                line.append(line.isEmpty() ? "" : ", ").append(k).append(": ").append(quote(v)));
        return out.append('\n').append(line).toString();
    }

    /**
     * The parameters saved in an image file: a PNG's {@code parameters} text chunk, or a JPEG's comment. One line
     * naming the file when it has none, or when its text is not a generation's.
     */
    public static GenerationParameters read(Path image) {
        String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
        String text = name.endsWith(".jpg") || name.endsWith(".jpeg")
                ? ImageFiles.jpegComment(image)
                : Png.readText(image).get(PNG_KEY);
        if (text == null) {
            throw new EngineException(image + ": no generation parameters in it (no A1111 '" + PNG_KEY + "' text);"
                    + " only images saved by Easel, AUTOMATIC1111 or a tool that writes them can be re-run");
        }
        try {
            return parse(text);
        } catch (EngineException e) {
            throw new EngineException(image + ": " + e.getMessage());
        }
    }

    /**
     * Reads the A1111 text back. Lenient like A1111's own reader: the last line holding {@code Steps:} is the field
     * line, lines before {@code Negative prompt:} are the prompt; a text without a field line is all prompt. A field
     * Easel reads as a number that is not one is a one-line error naming it.
     */
    public static GenerationParameters parse(String text) {
        if (text.length() > MAX_TEXT) {
            throw new EngineException("the parameters text is " + text.length() + " characters long, more than any"
                    + " generation's (at most " + MAX_TEXT + "); it is not read");
        }
        String[] lines = text.strip().split("\r?\n", -1);
        int fieldLine = lines.length - 1;
        boolean hasFields = lines[fieldLine].contains("Steps:");
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = null;
        for (int i = 0; i < (hasFields ? fieldLine : lines.length); i++) {
            String l = lines[i];
            if (negative == null && l.startsWith("Negative prompt:")) {
                negative = new StringBuilder(
                        l.substring("Negative prompt:".length()).strip());
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
        if (size != null) {
            int[] wh = size(size, "Size");
            width = wh[0];
            height = wh[1];
        }
        String steps = fields.remove("Steps");
        String cfg = fields.remove("CFG scale");
        String seed = fields.remove("Seed");
        return new GenerationParameters(
                prompt.toString(),
                negative == null ? "" : negative.toString(),
                steps == null ? 0 : whole(steps, "Steps"),
                fields.remove("Sampler"),
                cfg == null ? 0 : number(cfg, "CFG scale"),
                seed == null ? 0 : wholeLong(seed, "Seed"),
                width,
                height,
                fields.remove("Model"),
                fields);
    }

    /**
     * What {@link #recipe()} makes of the parameters.
     *
     * @param settings the settings that re-make the image (prompt, negative prompt, steps, sampler, schedule, CFG,
     *                 seed, size, clip skip, variation seed, hires fix, eta, spacing, plain prompt); a random seed
     *                 where the text has none
     * @param img2imgStrength the denoising strength of an img2img's parameters (no hires fix named), else null
     * @param batchPosition where in a batch sharing one generator the image was ({@code Batch pos}), else 0; the
     *                      settings then make that whole batch ({@code Batch size} images of the prompt)
     * @param unused one line per field Easel cannot apply, saying what it did instead
     */
    public record Recipe(
            GenerationSettings settings,
            Double img2imgStrength,
            int batchPosition,
            String model,
            String modelHash,
            List<String> unused) {
        public Recipe {
            unused = List.copyOf(unused);
        }

        /**
         * What a txt2img run of this recipe on {@code model} (its folder or file; its name in parameters
         * {@code modelName}) cannot repeat, one line each: the fields Easel lacks, an img2img's strength, another
         * model than the image's.
         */
        public List<String> differences(Path model, String modelName) {
            List<String> lines = new ArrayList<>(unused);
            if (img2imgStrength != null) {
                lines.add("Denoising strength: " + number(img2imgStrength) + " — the image was made by img2img; this"
                        + " draws it anew from the prompt (img2img from its init image at strength "
                        + number(img2imgStrength) + " repeats that)");
            }
            String hash = model == null ? null : ModelHash.shortHash(model);
            if (modelHash != null && hash != null && !modelHash.equalsIgnoreCase(hash)) {
                lines.add("made with model " + this.model + " (hash " + modelHash + "); " + modelName + " has hash "
                        + hash + ", so the image will differ");
            } else if (this.model != null && hash == null && !this.model.equals(modelName)) {
                lines.add("made with model " + this.model + "; running it on " + modelName + ", so the image will"
                        + " differ unless they are the same weights");
            }
            return lines;
        }
    }

    /**
     * Settings that re-make the image these parameters describe, Easel's or A1111's. Fields Easel cannot apply — an
     * A1111 extension's ({@code ADetailer model}), {@code Face restoration}, a sampler, schedule or upscaler Easel
     * lacks (then its default is used) — are listed in {@link Recipe#unused}, one line each. The prompt keeps its
     * {@code <lora:…>} tags: the generation applies those LoRAs from the LoRA folder, as A1111 does.
     *
     * @throws EngineException when there is no settings line, or a field Easel applies has a value it cannot read
     */
    public Recipe recipe() {
        if (steps <= 0 || width <= 0 || height <= 0) {
            throw new EngineException("the parameters have no settings line (\"Steps: 20, Sampler: Euler a, CFG"
                    + " scale: 7, Seed: 42, Size: 512x512, …\"), only a prompt; nothing to re-run");
        }
        Map<String, String> f = new LinkedHashMap<>(extra);
        List<String> unused = new ArrayList<>();
        GenerationSettings.Builder b = GenerationSettings.builder()
                .prompt(prompt)
                .steps(steps)
                .guidanceScale(cfgScale)
                .seed(seed)
                .size(width, height);
        if (!negativePrompt.isEmpty()) {
            b.negativePrompt(negativePrompt);
        }
        String schedule = f.remove("Schedule type");
        SigmaSchedule implied = null;
        if (sampler != null) {
            try {
                Samplers.Choice choice = Samplers.parse(sampler);
                b.sampler(choice.id());
                implied = choice.schedule();
            } catch (EngineException e) {
                unused.add("Sampler: " + sampler + " — Easel has no such sampler; "
                        + GenerationDefaults.STANDARD.sampler() + " is used (choose one with --sampler)");
            }
        }
        try {
            SigmaSchedule s = schedule != null ? SigmaSchedule.parse(schedule) : implied;
            b.schedule(s == null ? null : s.id());
        } catch (EngineException e) {
            unused.add("Schedule type: " + schedule + " — Easel has Automatic, Karras and Exponential; Automatic is"
                    + " used");
        }
        String v;
        if ((v = f.remove("Clip skip")) != null) {
            b.clipSkip(Math.max(0, whole(v, "Clip skip") - 1));
        }
        String subseed = f.remove("Variation seed");
        String subseedStrength = f.remove("Variation seed strength");
        if (subseed != null) {
            b.variation(
                    wholeLong(subseed, "Variation seed"),
                    subseedStrength == null ? 0 : number(subseedStrength, "Variation seed strength"));
        }
        if ((v = f.remove("Eta")) != null) {
            b.eta(number(v, "Eta"));
        }
        if ((v = f.remove("Timestep spacing")) != null) {
            b.spacing(v);
        }
        if ((v = f.remove("Plain prompt")) != null) {
            b.plainPrompt(Boolean.parseBoolean(v.strip()));
        }
        if ((v = f.remove("VAE tiling")) != null) {
            // "True": tiles of the VAE's sample size; a number: the tile side in pixels
            b.vaeTiling(v.strip().equalsIgnoreCase("true") ? VaeTiling.DEFAULT : new VaeTiling(whole(v, "VAE tiling")));
        }
        Double img2imgStrength = hires(f, b, unused);
        int position = 0;
        String batchSize = f.get("Batch size");
        if (batchSize != null && whole(batchSize, "Batch size") > 1) {
            // the command line's batches share one generator: the image is one slot of the whole batch
            b.imagesPerPrompt(whole(batchSize, "Batch size"));
            position = f.containsKey("Batch pos") ? whole(f.get("Batch pos"), "Batch pos") : 0;
        }
        String vae = f.remove("VAE");
        if (vae != null) {
            unused.add("VAE: " + vae + " — the image was decoded with this VAE; give it with --vae to re-make it"
                    + " exactly");
        }
        String modelHash = f.get("Model hash");
        INFORMATIONAL.forEach(f::remove);
        f.forEach((name, value) -> unused.add(name + ": " + value + " — Easel has no such setting; left out"));
        return new Recipe(b.build(), img2imgStrength, position, model, modelHash, unused);
    }

    /** Hires fix from its fields into {@code b}; without them a {@code Denoising strength} is an img2img's. */
    private static Double hires(Map<String, String> f, GenerationSettings.Builder b, List<String> unused) {
        String denoising = f.remove("Denoising strength");
        String upscale = f.remove("Hires upscale");
        String resize = f.remove("Hires resize");
        String steps = f.remove("Hires steps");
        String upscaler = f.remove("Hires upscaler");
        if (upscale == null && resize == null && upscaler == null) {
            return denoising == null ? null : number(denoising, "Denoising strength");
        }
        HiresFix.Upscaler u = HiresFix.Upscaler.LATENT;
        if (upscaler != null) {
            try {
                u = HiresFix.Upscaler.parse(upscaler);
            } catch (EngineException e) {
                unused.add("Hires upscaler: " + upscaler + " — Easel has Latent, Latent (nearest) and Lanczos;"
                        + " Latent is used");
            }
        }
        int hiresSteps = steps == null ? 0 : whole(steps, "Hires steps");
        double strength = denoising == null ? HiresFix.DEFAULT_DENOISING : number(denoising, "Denoising strength");
        if (resize != null) {
            int[] wh = size(resize, "Hires resize");
            b.hires(HiresFix.toSize(u, wh[0], wh[1], hiresSteps, strength));
        } else {
            b.hires(HiresFix.byScale(u, upscale == null ? 2 : number(upscale, "Hires upscale"), hiresSteps, strength));
        }
        return null;
    }

    /** A number as A1111 writes it: {@code 7}, not {@code 7.0}. */
    public static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value)
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
            return value.substring(1, value.length() - 1)
                    .replace("\\n", "\n")
                    .replace("\\\"", "\"")
                    .replace("\\\\", "\\");
        }
        return value;
    }

    private static double number(String value, String field) {
        try {
            double d = Double.parseDouble(value.strip());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // the one-line error below
        }
        throw new EngineException(
                "the parameters' " + field + " is '" + value + "', not a number (e.g. " + field + ": 7)");
    }

    private static long wholeLong(String value, String field) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new EngineException(
                    "the parameters' " + field + " is '" + value + "', not a whole number (e.g. " + field + ": 20)");
        }
    }

    private static int whole(String value, String field) {
        long v = wholeLong(value, field);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new EngineException("the parameters' " + field + " is " + value + ", out of range");
        }
        return (int) v;
    }

    private static int[] size(String value, String field) {
        String[] wh = value.strip().toLowerCase(Locale.ROOT).split("x");
        if (wh.length != 2) {
            throw new EngineException(
                    "the parameters' " + field + " is '" + value + "', not WIDTHxHEIGHT (e.g. " + field + ": 512x512)");
        }
        return new int[] {whole(wh[0], field), whole(wh[1], field)};
    }
}
