package dev.easel.engine.defaultmodel;

import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.SchedulerConfig;

/**
 * Everything that decides the default model: its architecture (exactly SD 1.x's three components, only smaller) and
 * how it is trained. {@link #standard()} is the recipe the shipped model was made with; tests use {@link #tiny()}.
 *
 * @param imageSize training images are imageSize × imageSize
 * @param vaeSteps optimizer steps of stage 1 (the autoencoder)
 * @param denoiserSteps optimizer steps of stage 2 (text encoder + UNet)
 * @param latentPool how many dataset images stage 2 encodes once and samples from
 * @param captionDropout fraction of stage-2 captions replaced by "" so classifier-free guidance works
 * @param noiseOffset stage 2's offset noise: without it the noise's per-channel mean carries the image's mean color
 *                    through every timestep, so the model reads the background color from the noise it starts from
 *                    rather than from the prompt (pure noise at sampling time makes that color random)
 * @param snrGamma stage 2's min-SNR-γ loss weighting (0: plain MSE)
 * @param predictionType what the UNet predicts: "epsilon" (SD 1.x) or "v_prediction" (SD 2.x)
 * @param zeroTerminalSnr whether the noise schedule is rescaled so its last step is pure noise; this removes at the
 *                        source the leak offset noise only damps: under SD's schedule the model reads colours and
 *                        layout from what is left of the image at t = 999 (√ᾱ = 0.068, and a 16×16 latent averages
 *                        its noise away over a shape), and at sampling time that is random noise. Needs v-prediction:
 *                        at zero SNR, predicting ε says nothing about the image.
 */
public record DefaultModelRecipe(
        long seed,
        int imageSize,
        int maxMerges,
        AutoencoderKL.Config vae,
        ClipTextModel.Config textEncoderShape,
        UNet2DConditionModel.Config unet,
        int vaeSteps,
        int vaeBatch,
        double vaeLearningRate,
        double klWeight,
        int denoiserSteps,
        int denoiserBatch,
        double denoiserLearningRate,
        int latentPool,
        double captionDropout,
        double noiseOffset,
        double snrGamma,
        String predictionType,
        boolean zeroTerminalSnr,
        double emaDecay,
        int warmupSteps,
        int checkpointEvery) {

    /** The recipe of the shipped default model. */
    public static DefaultModelRecipe standard() {
        int textWidth = 64;
        return new DefaultModelRecipe(
                20261122L,
                64,
                400,
                // Small convnets on a CPU are bound by memory traffic more than FLOPs: the full-resolution level of
                // the autoencoder is kept narrow (16 channels), the UNet works on 16×16 latents.
                new AutoencoderKL.Config(3, 3, 4, new int[] {16, 32, 64}, 1, 16, 1.0, 64),
                new ClipTextModel.Config(0, textWidth, 4 * textWidth, 2, 4, 77, "quick_gelu", 1e-5, 0),
                unet(new int[] {32, 64, 128}, 1, textWidth, 4, 16),
                // 2400 autoencoder steps: at 800 (cosine-decayed) the reconstruction MSE was still 0.029; at 2400 0.008
                2400,
                16,
                1e-3,
                1e-4,
                // v-prediction on a zero-terminal-SNR schedule, trained with plain MSE on v as SD 2.x and Lin et al.
                // were: min-SNR weighting would give the pure-noise steps, where the prompt alone decides the image,
                // no weight at all, and offset noise has nothing left to fix.
                // 8000 denoiser steps: at 5000 circles and squares blurred into one rounded blob (held-out shape
                // 62-67% at CFG 4-7.5); at 8000 the model tells them apart (78-90% at CFG 4-6).
                8000,
                32,
                5e-4,
                8_000,
                0.1,
                0.0,
                0.0,
                "v_prediction",
                true,
                0.999,
                200,
                250);
    }

    /** A few-step recipe of the same shape for tests: proves the whole path, learns nothing. */
    public static DefaultModelRecipe tiny() {
        int textWidth = 32;
        return new DefaultModelRecipe(
                7L,
                64,
                100,
                new AutoencoderKL.Config(3, 3, 4, new int[] {32, 32}, 1, 32, 1.0, 64),
                new ClipTextModel.Config(0, textWidth, 2 * textWidth, 1, 2, 77, "quick_gelu", 1e-5, 0),
                unet(new int[] {32, 32}, 1, textWidth, 2, 32),
                3,
                2,
                1e-3,
                1e-4,
                3,
                2,
                1e-3,
                8,
                0.1,
                0.1,
                5.0,
                "v_prediction",
                true,
                0.999,
                1,
                2);
    }

    /** An SD 1.x-shaped UNet: cross-attention in every block but the deepest, as in SD 1.5. */
    static UNet2DConditionModel.Config unet(int[] widths, int layers, int crossDim, int heads, int sampleSize) {
        return UNet2DConditionModel.Config.sd1Like(widths, layers, crossDim, heads, sampleSize);
    }

    /** This recipe with another seed and step budgets (for calibration runs and tests). */
    public DefaultModelRecipe withBudget(long newSeed, int newVaeSteps, int newDenoiserSteps) {
        return new DefaultModelRecipe(
                newSeed,
                imageSize,
                maxMerges,
                vae,
                textEncoderShape,
                unet,
                newVaeSteps,
                vaeBatch,
                vaeLearningRate,
                klWeight,
                newDenoiserSteps,
                denoiserBatch,
                denoiserLearningRate,
                latentPool,
                captionDropout,
                noiseOffset,
                snrGamma,
                predictionType,
                zeroTerminalSnr,
                emaDecay,
                warmupSteps,
                checkpointEvery);
    }

    /** Stage 2's noise schedule: SD 1.x's betas, with this recipe's prediction type and terminal SNR. */
    public SchedulerConfig noiseSchedule() {
        return SchedulerConfig.sd1()
                .withPredictionType(PredictionType.parse(predictionType, "recipe prediction type"))
                .withZeroTerminalSnr(zeroTerminalSnr);
    }

    /** The text encoder's config once the vocabulary (and so the start/end ids) is known. */
    public ClipTextModel.Config textEncoder(int vocabularySize) {
        ClipTextModel.Config s = textEncoderShape;
        return new ClipTextModel.Config(
                vocabularySize,
                s.hiddenSize(),
                s.intermediateSize(),
                s.numHiddenLayers(),
                s.numAttentionHeads(),
                s.maxPositionEmbeddings(),
                s.hiddenAct(),
                s.layerNormEps(),
                vocabularySize - 1);
    }

    /** The autoencoder's config with the latent scaling factor measured after stage 1. */
    public AutoencoderKL.Config vae(double scalingFactor) {
        AutoencoderKL.Config v = vae;
        return new AutoencoderKL.Config(
                v.inChannels(),
                v.outChannels(),
                v.latentChannels(),
                v.blockOutChannels(),
                v.layersPerBlock(),
                v.normNumGroups(),
                scalingFactor,
                v.sampleSize());
    }

    /** The latent side length: each autoencoder block but the last halves the image. */
    public int latentSize() {
        return imageSize >> (vae.blockOutChannels().length - 1);
    }
}
