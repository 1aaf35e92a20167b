package dev.easel.engine.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.AtomicFile;
import dev.easel.engine.models.Configs;
import dev.easel.engine.samplers.Samplers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings a generation uses for what the user leaves out — the one set every entry point shares (the engine's
 * {@link GenerationSettings#builder()}, the command line, the Java API, the magics and the sweep).
 *
 * <p>{@link #STANDARD} is AUTOMATIC1111's: 20 steps, CFG 7, "Euler a", img2img strength 0.75. Most people who come to
 * Stable Diffusion tools know these numbers from the web UIs and their shared infotexts, and 20 steps is where the
 * web UIs consider an SD 1.x picture finished (diffusers' own 50 steps cost 2.5× the sampling time).
 *
 * <p>A model may recommend its own settings: an object under {@value #MODEL_INDEX_KEY} in its {@code model_index.json}
 * with diffusers' argument names, e.g. {@code {"guidance_scale": 5}}. diffusers ignores keys that start with an
 * underscore, so the folder still loads there. {@link #forModel} reads them; what a model does not recommend stays
 * standard. The shipped default model recommends CFG 5, the scale it was evaluated at.
 *
 * @param steps sampling steps
 * @param guidanceScale classifier-free guidance scale
 * @param sampler sampler id ({@link Samplers})
 * @param strength img2img denoising strength
 */
public record GenerationDefaults(int steps, double guidanceScale, String sampler, double strength) {

    /** AUTOMATIC1111's defaults. */
    public static final GenerationDefaults STANDARD = new GenerationDefaults(20, 7.0, "euler_a", 0.75);

    /** The {@code model_index.json} key holding a model's recommended settings. */
    public static final String MODEL_INDEX_KEY = "_easel_generation_defaults";

    public GenerationDefaults {
        sampler = Samplers.resolve(sampler);
    }

    /**
     * The defaults for the model at {@code model}: {@link #STANDARD} with what its {@code model_index.json}
     * recommends. A single file, or a folder without one, recommends nothing.
     *
     * @throws EngineException one line naming the file, the key and what it expects, when a recommendation is malformed
     */
    public static GenerationDefaults forModel(Path model) {
        if (model == null || !Files.isDirectory(model)) {
            return STANDARD;
        }
        Path index = model.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            return STANDARD;
        }
        JsonNode recommended = Configs.read(index).get(MODEL_INDEX_KEY);
        if (recommended == null || recommended.isNull()) {
            return STANDARD;
        }
        if (!recommended.isObject()) {
            throw new EngineException(index + ": " + MODEL_INDEX_KEY + " must be an object such as"
                    + " {\"guidance_scale\": 5}, got " + recommended);
        }
        GenerationDefaults d = STANDARD;
        int steps = recommended.has("num_inference_steps")
                ? (int) number(index, recommended, "num_inference_steps", 1, 1000)
                : d.steps;
        double cfg = recommended.has("guidance_scale")
                ? number(index, recommended, "guidance_scale", 0, 100)
                : d.guidanceScale;
        double strength = recommended.has("strength") ? number(index, recommended, "strength", 0, 1) : d.strength;
        String sampler = d.sampler;
        if (recommended.has("sampler")) {
            JsonNode v = recommended.get("sampler");
            try {
                sampler = Samplers.resolve(v.asText());
            } catch (EngineException e) {
                throw new EngineException(index + ": " + MODEL_INDEX_KEY + ".sampler " + v + ": " + e.getMessage());
            }
        }
        return new GenerationDefaults(steps, cfg, sampler, strength);
    }

    private static double number(Path index, JsonNode node, String key, double min, double max) {
        JsonNode v = node.get(key);
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < min || v.asDouble() > max) {
            throw new EngineException(index + ": " + MODEL_INDEX_KEY + "." + key + " must be a number from " + min
                    + " to " + max + ", got " + v);
        }
        return v.asDouble();
    }

    /**
     * Records these settings as the recommendation of the diffusers folder {@code model} (the fields that differ from
     * {@link #STANDARD}; none removes the key), rewriting its {@code model_index.json} atomically.
     */
    public void recordIn(Path model) {
        Path index = model.resolve("model_index.json");
        ObjectNode root = (ObjectNode) Configs.read(index);
        ObjectNode recommended = root.objectNode();
        if (steps != STANDARD.steps) {
            recommended.put("num_inference_steps", steps);
        }
        if (guidanceScale != STANDARD.guidanceScale) {
            recommended.put("guidance_scale", guidanceScale);
        }
        if (!sampler.equals(STANDARD.sampler)) {
            recommended.put("sampler", sampler);
        }
        if (strength != STANDARD.strength) {
            recommended.put("strength", strength);
        }
        if (recommended.isEmpty()) {
            root.remove(MODEL_INDEX_KEY);
        } else {
            root.set(MODEL_INDEX_KEY, recommended);
        }
        try {
            AtomicFile.write(
                    index, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new EngineException(index + ": cannot write the recommended settings (" + e.getMessage() + ")");
        }
    }

    /** A settings builder that starts from these defaults. */
    public GenerationSettings.Builder builder() {
        return GenerationSettings.builder()
                .steps(steps)
                .guidanceScale(guidanceScale)
                .sampler(sampler);
    }
}
