package dev.easel.engine.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.Configs;
import dev.easel.engine.nn.Init;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.engine.weights.SafeTensors;
import dev.easel.engine.weights.WeightLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Replacement VAEs as people share them: a diffusers {@code vae/} folder (or a model folder holding one), or a
 * single {@code .safetensors} in diffusers' names or the original (LDM) ones — bare, as the common
 * {@code vae-ft-mse-840000-ema-pruned.safetensors}, or under {@code first_stage_model.} inside a whole checkpoint.
 */
public final class VaeFiles {

    private VaeFiles() {}

    /**
     * Makes {@code pipeline} decode and encode with the VAE at {@code path} (null: the model's own again); the same
     * path again is free. A bad file is one line and leaves the VAE in use as it was.
     */
    public static void use(StableDiffusionPipeline pipeline, Path path) {
        AutoencoderKL.Config own = pipeline.ownVaeConfig();
        pipeline.swapVae(path, manager -> load(path, own, manager, pipeline.device(), pipeline.dtype()));
    }

    /**
     * Loads a VAE for a model whose own VAE has config {@code like} (a single file takes that architecture and
     * scaling factor, as A1111 does). A file with another latent channel count is a one-line error before anything
     * is built.
     */
    public static AutoencoderKL load(
            Path path, AutoencoderKL.Config like, NDManager manager, Device device, DataType dtype) {
        if (!Files.exists(path)) {
            throw new EngineException(path + ": VAE not found (give a diffusers vae/ folder or a .safetensors file)");
        }
        NDManager cpu = NDManager.newBaseManager(Device.cpu());
        try {
            AutoencoderKL vae;
            if (Files.isDirectory(path)) {
                Path dir = Files.exists(path.resolve("config.json")) ? path : path.resolve("vae");
                AutoencoderKL.Config c = AutoencoderKL.Config.fromJson(Configs.read(dir.resolve("config.json")));
                checkLatents(path, c.latentChannels(), like);
                vae = new AutoencoderKL(Init.empty(cpu), c);
                try (SafeTensors f = SafeTensors.open(DiffusersFolder.weightsIn(dir, "diffusion_pytorch_model"))) {
                    WeightLoader.load(vae, f, null, cpu, null);
                }
            } else {
                try (SafeTensors f = SafeTensors.open(path)) {
                    Function<String, String> keys = layout(f, like);
                    String postQuant = keys.apply("post_quant_conv.weight");
                    if (!f.contains(postQuant)) {
                        throw new EngineException(path + ": not a VAE (no " + postQuant + ")");
                    }
                    checkLatents(path, (int) f.entry(postQuant).shape()[0], like);
                    vae = new AutoencoderKL(Init.empty(cpu), like);
                    WeightLoader.load(vae, f, keys, cpu, null);
                }
            }
            vae.to(manager, device, dtype);
            vae.parameters().values().forEach(a -> a.attach(manager)); // those already right are still the CPU's
            return vae;
        } finally {
            cpu.close();
        }
    }

    /** Parameter name → key in the file: diffusers' names, bare LDM names, or LDM names in a whole checkpoint. */
    private static Function<String, String> layout(SafeTensors f, AutoencoderKL.Config c) {
        if (f.contains("encoder.down_blocks.0.resnets.0.conv1.weight")) {
            return Function.identity();
        }
        if (f.contains(LdmKeys.VAE + "encoder.down.0.block.0.conv1.weight")) {
            return name -> LdmKeys.vae(name, c);
        }
        return name -> LdmKeys.vae(name, c).substring(LdmKeys.VAE.length());
    }

    private static void checkLatents(Path path, int channels, AutoencoderKL.Config like) {
        if (channels != like.latentChannels()) {
            throw new EngineException(path + ": a VAE with " + channels + " latent channels; this model's latents have "
                    + like.latentChannels() + " — use a VAE made for this model family");
        }
    }
}
