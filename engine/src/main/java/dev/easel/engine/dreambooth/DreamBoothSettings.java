package dev.easel.engine.dreambooth;

import ai.djl.ndarray.types.DataType;
import dev.easel.engine.BadValueException;
import dev.easel.engine.lora.LoraFormat;
import dev.easel.engine.train.AdamW;
import dev.easel.engine.train.LearningRateSchedule;
import java.nio.file.Path;
import java.util.List;

/**
 * A DreamBooth run's settings, named and defaulted as diffusers' {@code train_dreambooth.py} (learning rate 5e-6,
 * constant schedule, batch 1, max grad norm 1, AdamW 0.9/0.999/1e-2/1e-8, prior loss weight 1, 100 class images).
 * Build with {@link #builder(Path, String)}.
 *
 * @param mixedPrecision diffusers' {@code --mixed_precision}: "no" or "fp16" — matrix products in float16 under
 *                       autocast with float32 master weights, the frozen models stored in float16, and dynamic loss
 *                       scaling. (diffusers' "bf16" is refused: DJL 0.35's PyTorch engine aborts the process when it
 *                       converts to bfloat16.)
 * @param gradientCheckpointing diffusers' {@code --gradient_checkpointing}: the UNet's block activations are
 *                              recomputed in the backward pass instead of kept (less memory, more time per step:
 *                              each block runs twice; the same gradients)
 */
public record DreamBoothSettings(
        Path instanceDir,
        String instancePrompt,
        Path classDir,
        String classPrompt,
        int numClassImages,
        double priorLossWeight,
        boolean randomFlip,
        boolean trainTextEncoder,
        double learningRate,
        LearningRateSchedule.Kind lrScheduler,
        int lrWarmupSteps,
        int maxTrainSteps,
        int trainBatchSize,
        int gradientAccumulationSteps,
        double maxGradNorm,
        AdamW.Settings adam,
        long seed,
        double offsetNoise,
        double snrGamma,
        String validationPrompt,
        int validationEvery,
        int checkpointEvery,
        int keepCheckpoints,
        Path outputDir,
        int loraRank,
        double loraAlpha,
        String mixedPrecision,
        LoraFormat loraFormat,
        boolean gradientCheckpointing) {

    /** The values of {@code mixedPrecision}. */
    public static final List<String> MIXED_PRECISION = List.of("no", "fp16");

    public DreamBoothSettings {
        if (instancePrompt == null || instancePrompt.isBlank()) {
            throw new BadValueException("no instance prompt; give one such as \"a photo of sks dog\"");
        }
        if (classPrompt != null && classDir == null) {
            throw new BadValueException("prior preservation needs a class folder for the class images"
                    + " (--class-dir); it is filled with generated images when it has fewer than "
                    + numClassImages);
        }
        if (loraRank < 0) {
            throw new BadValueException("LoRA rank must be ≥ 1 (or 0 for full fine-tuning), got " + loraRank);
        }
        if (loraFormat == LoraFormat.PEFT) { // read, not written: said now rather than after the training
            throw new BadValueException("Easel writes LoRAs in the diffusers or kohya layout, not peft; use"
                    + " --lora-format diffusers or kohya");
        }
        if ("bf16".equals(mixedPrecision)) {
            throw new BadValueException("mixed precision bf16 is not available (DJL's PyTorch engine cannot"
                    + " convert to bfloat16); use fp16");
        }
        if (!MIXED_PRECISION.contains(mixedPrecision)) {
            throw new BadValueException("unknown mixed precision '" + mixedPrecision + "'; use no or fp16");
        }
        if (numClassImages < 0 || trainBatchSize < 1 || maxTrainSteps < 1 || validationEvery < 0) {
            throw new BadValueException(
                    "class images ≥ 0, batch ≥ 1, steps ≥ 1 and validation every ≥ 0" + " are required");
        }
    }

    /** LoRA (rank > 0) instead of full fine-tuning. */
    public boolean lora() {
        return loraRank > 0;
    }

    /** The low-precision compute type of mixed precision, or null for none. */
    public DataType lowPrecision() {
        return "fp16".equals(mixedPrecision) ? DataType.FLOAT16 : null;
    }

    public boolean withPriorPreservation() {
        return classPrompt != null;
    }

    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(lrScheduler, lrWarmupSteps, maxTrainSteps);
    }

    public static Builder builder(Path instanceDir, String instancePrompt) {
        return new Builder(instanceDir, instancePrompt);
    }

    /** Builder with diffusers' defaults. */
    public static final class Builder {
        private final Path instanceDir;
        private final String instancePrompt;
        private Path classDir;
        private String classPrompt;
        private int numClassImages = 100;
        private double priorLossWeight = 1.0;
        private boolean randomFlip;
        private boolean trainTextEncoder;
        private double learningRate = 5e-6;
        private LearningRateSchedule.Kind lrScheduler = LearningRateSchedule.Kind.CONSTANT;
        private int lrWarmupSteps;
        private int maxTrainSteps = 400;
        private int trainBatchSize = 1;
        private int gradientAccumulationSteps = 1;
        private double maxGradNorm = 1.0;
        private AdamW.Settings adam = AdamW.Settings.DEFAULT;
        private long seed = 0;
        private double offsetNoise;
        private double snrGamma;
        private String validationPrompt;
        private int validationEvery = 100;
        private int checkpointEvery = 500;
        private int keepCheckpoints = 3;
        private Path outputDir = Path.of("dreambooth-model");
        private int loraRank;
        private double loraAlpha;
        private LoraFormat loraFormat = LoraFormat.DIFFUSERS;
        private String mixedPrecision = "no";
        private boolean gradientCheckpointing;

        private Builder(Path instanceDir, String instancePrompt) {
            this.instanceDir = instanceDir;
            this.instancePrompt = instancePrompt;
        }

        public Builder priorPreservation(String prompt, Path dir, int images, double weight) {
            this.classPrompt = prompt;
            this.classDir = dir;
            this.numClassImages = images;
            this.priorLossWeight = weight;
            return this;
        }

        public Builder randomFlip(boolean v) {
            randomFlip = v;
            return this;
        }

        public Builder trainTextEncoder(boolean v) {
            trainTextEncoder = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder lrScheduler(LearningRateSchedule.Kind kind, int warmupSteps) {
            lrScheduler = kind;
            lrWarmupSteps = warmupSteps;
            return this;
        }

        public Builder maxTrainSteps(int v) {
            maxTrainSteps = v;
            return this;
        }

        public Builder batch(int size, int accumulation) {
            trainBatchSize = size;
            gradientAccumulationSteps = accumulation;
            return this;
        }

        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        public Builder adam(AdamW.Settings v) {
            adam = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder offsetNoise(double v) {
            offsetNoise = v;
            return this;
        }

        public Builder snrGamma(double v) {
            snrGamma = v;
            return this;
        }

        public Builder validation(String prompt, int every) {
            validationPrompt = prompt;
            validationEvery = every;
            return this;
        }

        public Builder checkpoints(int every, int keep) {
            checkpointEvery = every;
            keepCheckpoints = keep;
            return this;
        }

        /** Trains LoRA adapters of this rank instead of the whole model; alpha 0 means alpha = rank. */
        public Builder lora(int rank, double alpha) {
            loraRank = rank;
            loraAlpha = alpha;
            return this;
        }

        /**
         * The layout a LoRA run writes: diffusers' {@code pytorch_lora_weights.safetensors} (default) or Kohya's
         * {@code <output folder name>.safetensors}, which A1111 and ComfyUI load.
         */
        public Builder loraFormat(LoraFormat v) {
            loraFormat = v == null ? LoraFormat.DIFFUSERS : v;
            return this;
        }

        /** "no" or "fp16", as diffusers' {@code --mixed_precision}. */
        public Builder mixedPrecision(String v) {
            mixedPrecision = v;
            return this;
        }

        /** Recompute the UNet's block activations in the backward pass instead of keeping them (less memory). */
        public Builder gradientCheckpointing(boolean v) {
            gradientCheckpointing = v;
            return this;
        }

        public Builder outputDir(Path v) {
            outputDir = v;
            return this;
        }

        public DreamBoothSettings build() {
            return new DreamBoothSettings(
                    instanceDir,
                    instancePrompt,
                    classDir,
                    classPrompt,
                    numClassImages,
                    priorLossWeight,
                    randomFlip,
                    trainTextEncoder,
                    learningRate,
                    lrScheduler,
                    lrWarmupSteps,
                    maxTrainSteps,
                    trainBatchSize,
                    gradientAccumulationSteps,
                    maxGradNorm,
                    adam,
                    seed,
                    offsetNoise,
                    snrGamma,
                    validationPrompt,
                    validationEvery,
                    checkpointEvery,
                    keepCheckpoints,
                    outputDir,
                    loraRank,
                    loraAlpha > 0 ? loraAlpha : loraRank,
                    mixedPrecision,
                    loraFormat,
                    gradientCheckpointing);
        }
    }
}
