package dev.easel.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.tokenizer.ClipTokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * What the notebook API and the sweep ask of a loaded model: text-to-image, image-to-image, prompt encoding, LoRA,
 * and the sizes that go with it. {@link StableDiffusionPipeline} is one; another pipeline (SDXL, inpainting) plugs in
 * by implementing this.
 */
public interface DiffusionPipeline extends AutoCloseable {

    /** Text-to-image. */
    default GenerationResult txt2img(GenerationSettings settings) {
        return txt2img(settings, StepCallback.NONE, null);
    }

    /**
     * Text-to-image, telling {@code callback} after every step; {@code cancel} (may be null) is asked between steps.
     */
    GenerationResult txt2img(GenerationSettings settings, StepCallback callback, BooleanSupplier cancel);

    /** Image-to-image: the init image is noised to {@code strength} (0 < strength ≤ 1) and denoised from there. */
    GenerationResult img2img(
            GenerationSettings settings,
            BufferedImage initImage,
            double strength,
            StepCallback callback,
            BooleanSupplier cancel);

    /** The text conditioning the denoiser attends to for these settings (negative prompts first under CFG). */
    NDArray encodePrompt(NDManager scope, GenerationSettings settings);

    /** The text encoder's tokenizer: how a prompt splits into 75-token chunks depends on it. */
    ClipTokenizer tokenizer();

    /** Applies a LoRA file at {@code weight}; the returned network changes the weight or takes it off again. */
    LoraNetwork loadLora(Path file, double weight);

    Device device();

    DataType dtype();

    /** Pixels per latent cell (8 for Stable Diffusion). */
    int vaeScaleFactor();

    /**
     * Whether {@code settings}' VAE tiling changes the images on this model (tiling on and an image larger than one
     * tile); the saved parameters name the tiling only then.
     */
    boolean tilesVae(GenerationSettings settings);

    /** Channels of the latents the denoiser works on (4 for Stable Diffusion). */
    int latentChannels();

    /** The image size the model was trained at, diffusers' default height and width: sample size × VAE scale. */
    int defaultImageSize();

    /** How fast this model's denoising steps run here, for estimates of work before it starts. */
    SamplingSpeed samplingSpeed();

    /** Frees the model's memory. */
    @Override
    void close();
}
