package dev.easel.engine.randommodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * A real Stable Diffusion architecture, described by the configuration files its published diffusers folder has
 * (kept verbatim as resources under {@code dev/easel/engine/randommodel/<id>/}).
 */
public enum Architecture {

    /** runwayml/stable-diffusion-v1-5: UNet 320/640/1280/1280 with 8 heads, CLIP ViT-L/14, ε-prediction. */
    SD15("sd15", "<|endoftext|>"),
    /** stabilityai/stable-diffusion-2-1: linear projections, 64-channel heads, OpenCLIP-H (23 layers, GELU), v-prediction. */
    SD21("sd21", "!");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final String padToken;

    Architecture(String id, String padToken) {
        this.id = id;
        this.padToken = padToken;
    }

    public static Architecture of(String name) {
        for (Architecture a : values()) {
            if (a.id.equals(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new EngineException("unknown architecture '" + name + "' (known: sd15, sd21)");
    }

    public String id() {
        return id;
    }

    /** The tokenizer's padding token ({@code !} for SD 2.x, end-of-text for SD 1.x). */
    public String padToken() {
        return padToken;
    }

    /** The text of one config file: {@code model_index}, {@code unet}, {@code vae}, {@code text_encoder}, {@code scheduler}. */
    public byte[] configBytes(String component) {
        return resource(id + "/" + component + ".json");
    }

    static byte[] resource(String path) {
        try (InputStream in = Architecture.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode config(String component) {
        try {
            return JSON.readTree(configBytes(component));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public UNet2DConditionModel.Config unet() {
        return UNet2DConditionModel.Config.fromJson(config("unet"));
    }

    public AutoencoderKL.Config vae() {
        return AutoencoderKL.Config.fromJson(config("vae"));
    }

    public ClipTextModel.Config textEncoder() {
        return ClipTextModel.Config.fromJson(config("text_encoder"));
    }
}
