package dev.easel.engine.dreambooth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Autocast;
import dev.easel.engine.nn.ScalarOps;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.train.DenoisingLoss;
import dev.easel.engine.train.TrainingObjective;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DreamBooth's loss as diffusers' {@code train_dreambooth.py} computes it: the frozen VAE encodes the batch
 * (latent sample × scaling factor), noise is added at random timesteps, the text encoder (trained or frozen) encodes
 * the prompts and the UNet predicts the noise (or v); the loss is the instance MSE plus {@code priorLossWeight} × the
 * class-image MSE, each optionally min-SNR weighted.
 */
public final class DreamBoothObjective implements TrainingObjective {

    /**
     * The loss options, with diffusers' names and defaults.
     *
     * @param lowPrecision the autocast type the trained models compute in (float16), or null for float32
     */
    public record Options(boolean trainTextEncoder, double priorLossWeight, double snrGamma, DataType lowPrecision) {

        public static final Options DEFAULT = new Options(false, 1.0, 0, null);

        public Options(boolean trainTextEncoder, double priorLossWeight, double snrGamma) {
            this(trainTextEncoder, priorLossWeight, snrGamma, null);
        }
    }

    private final AutoencoderKL vae;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final DenoisingLoss denoising;
    private final DreamBoothData data;
    private final NoiseDraws draws;
    private final Options options;
    private final Map<String, Object> identity;
    private final LoraNetwork lora;
    /** The frozen VAE's weight type (float16 under mixed precision), which its input pixels are cast to. */
    private final DataType vaeType;

    public DreamBoothObjective(
            AutoencoderKL vae,
            ClipTextModel textEncoder,
            UNet2DConditionModel unet,
            DenoisingLoss denoising,
            DreamBoothData data,
            NoiseDraws draws,
            Options options,
            Map<String, Object> identity) {
        this(vae, textEncoder, unet, denoising, data, draws, options, identity, null);
    }

    /** With {@code lora} non-null only its adapters train; the models' own weights stay frozen. */
    public DreamBoothObjective(
            AutoencoderKL vae,
            ClipTextModel textEncoder,
            UNet2DConditionModel unet,
            DenoisingLoss denoising,
            DreamBoothData data,
            NoiseDraws draws,
            Options options,
            Map<String, Object> identity,
            LoraNetwork lora) {
        this.lora = lora;
        this.vaeType = vae.parameters().values().iterator().next().getDataType();
        this.vae = vae;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.denoising = denoising;
        this.data = data;
        this.draws = draws;
        this.options = options;
        this.identity = identity;
    }

    @Override
    public Map<String, NDArray> trainableParameters() {
        if (lora != null) {
            return lora.parameters();
        }
        Map<String, NDArray> named = new LinkedHashMap<>();
        unet.parameters().forEach((name, p) -> named.put("unet." + name, p));
        if (options.trainTextEncoder()) {
            textEncoder.parameters().forEach((name, p) -> named.put("text_encoder." + name, p));
        }
        return named;
    }

    @Override
    public NDArray loss(NDManager scope, long step, int micro) {
        DreamBoothBatch batch = data.batch(scope, step, micro);
        // Noise, noisy latents and targets in float32 (the VAE may be frozen in half precision); under mixed
        // precision the UNet's layers cast them down themselves.
        NDArray latents = encode(scope, batch.pixels()).toType(DataType.FLOAT32, false);
        NDArray noise = draws.noise(scope, latents);
        int size = (int) latents.getShape().get(0);
        long[] timesteps = draws.timesteps(scope, size);
        NDArray noisy = denoising.addNoise(scope, latents, noise, timesteps);
        double[] t = new double[size];
        for (int i = 0; i < size; i++) {
            t[i] = timesteps[i];
        }
        NDArray prediction;
        try (Autocast region = Autocast.enable(options.lowPrecision())) {
            NDArray context = encodePrompts(scope, batch.inputIds());
            prediction = unet.forward(scope, noisy, t, context, null);
        }
        NDArray target = denoising.target(scope, latents, noise, timesteps);
        if (!batch.hasPrior()) {
            return denoising.loss(scope, prediction, target, timesteps, options.snrGamma());
        }
        int n = batch.instances();
        NDArray instanceLoss = denoising.loss(
                scope,
                rows(prediction, 0, n),
                rows(target, 0, n),
                Arrays.copyOfRange(timesteps, 0, n),
                options.snrGamma());
        NDArray priorLoss = denoising.loss(
                scope,
                rows(prediction, n, size),
                rows(target, n, size),
                Arrays.copyOfRange(timesteps, n, size),
                options.snrGamma());
        return instanceLoss.add(ScalarOps.mul(priorLoss, options.priorLossWeight()));
    }

    /** latent_dist.sample() × scaling factor, with the VAE frozen (no graph recorded). */
    private NDArray encode(NDManager scope, NDArray pixels) {
        boolean gradMode = LibTorch.gradMode();
        LibTorch.setGradMode(false);
        try {
            // in the VAE's own type, as diffusers feeds it pixel_values.to(weight_dtype)
            AutoencoderKL.LatentDistribution latent = vae.encode(scope, pixels.toType(vaeType, false));
            NDArray eps = draws.latentEps(scope, latent.mean().getShape());
            return latent.sample(eps).mul(vae.config.scalingFactor());
        } finally {
            LibTorch.setGradMode(gradMode);
        }
    }

    /** The prompts' embeddings; a frozen text encoder runs outside autocast, in its own type, as in diffusers. */
    private NDArray encodePrompts(NDManager scope, NDArray ids) {
        if (options.trainTextEncoder() || lora != null) {
            // With LoRA the text encoder's adapters (if any) need the graph; its frozen weights get no gradient.
            return textEncoder.forward(scope, ids).lastHiddenState();
        }
        boolean gradMode = LibTorch.gradMode();
        LibTorch.setGradMode(false);
        try (Autocast outside = Autocast.off()) {
            return textEncoder.forward(scope, ids).lastHiddenState();
        } finally {
            LibTorch.setGradMode(gradMode);
        }
    }

    private static NDArray rows(NDArray array, int from, int to) {
        return array.get(new NDIndex("{}:{}", from, to));
    }

    @Override
    public Map<String, Object> identity() {
        return identity;
    }
}
