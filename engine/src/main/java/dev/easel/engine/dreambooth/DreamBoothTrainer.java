package dev.easel.engine.dreambooth;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.io.Png;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.lora.LoraFormat;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.memory.MemoryBudget;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.torch.Randomness;
import dev.easel.engine.train.CheckpointStore;
import dev.easel.engine.train.DenoisingLoss;
import dev.easel.engine.train.ImageBatch;
import dev.easel.engine.train.TrainingListener;
import dev.easel.engine.train.TrainingLog;
import dev.easel.engine.train.TrainingLoop;
import dev.easel.engine.train.TrainingResult;
import dev.easel.engine.train.TrainingSettings;
import dev.easel.engine.weights.DiffusersWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Fine-tunes a Stable Diffusion model on a few images of a subject, as diffusers' train_dreambooth does, through
 * Easel's one training loop. It trains its own copy of the base model (loaded from the base model's folder), so the
 * model a notebook already holds stays as it was; the trained copy is returned, and written in diffusers layout.
 */
public final class DreamBoothTrainer {

    /** Hears a run: the loop's events plus class-image generation and validation images. */
    public interface Listener extends TrainingListener {

        default void onClassImages(int done, int total) {}

        default void onValidation(long step, List<BufferedImage> images) {}
    }

    /**
     * A finished or interrupted run: its pipeline (usable either way), losses, checkpoints and what was written —
     * the model folder, or the LoRA file for a LoRA run (null when interrupted).
     */
    public record Run(
            StableDiffusionPipeline pipeline,
            TrainingResult result,
            TrainingLog log,
            List<CheckpointStore.Checkpoint> checkpoints,
            Path model) {}

    private static final System.Logger LOG = System.getLogger(DreamBoothTrainer.class.getName());
    private static final int VALIDATION_STEPS = 20;

    private final Path baseModel;
    private final LoadOptions loadOptions;
    private final DreamBoothSettings settings;
    private final Listener listener;
    private final BooleanSupplier cancel;

    public DreamBoothTrainer(
            Path baseModel,
            LoadOptions loadOptions,
            DreamBoothSettings settings,
            Listener listener,
            BooleanSupplier cancel) {
        this.baseModel = baseModel;
        this.loadOptions = loadOptions;
        this.settings = settings;
        this.listener = listener == null ? new Listener() {} : listener;
        this.cancel = cancel == null ? () -> false : cancel;
    }

    /**
     * Trains (or resumes from {@code resumeFrom}, a checkpoint or run folder).
     *
     * @throws EngineException one line for bad input ({@link dev.easel.engine.BadValueException} for a bad setting)
     */
    public Run train(Path resumeFrom) {
        return train(resumeFrom, false);
    }

    /**
     * As {@link #train(Path)}; {@code allowChangedSettings} resumes even when the seed, learning rate or schedule
     * differ from the checkpoint's (the run is then no longer exact) instead of refusing.
     */
    public Run train(Path resumeFrom, boolean allowChangedSettings) {
        Path root = ModelLoader.diffusersFolder(baseModel).orElse(null);
        Path tokenizerFolder = root == null ? null : root.resolve("tokenizer");
        if (root == null || !Files.isRegularFile(tokenizerFolder.resolve("vocab.json"))) {
            throw new EngineException(baseModel + ": DreamBooth needs a diffusers folder as its base model (it writes"
                    + " the trained model beside the same tokenizer); convert a single file with txt2img --config");
        }
        Path runFolder = settings.outputDir().resolve(CheckpointStore.RUN_FOLDER);
        if (resumeFrom == null) {
            // Before class images and validation, which take minutes: a run can't start over an earlier one.
            new CheckpointStore(runFolder, settings.keepCheckpoints()).requireNoEarlierRun();
        }
        StableDiffusionPipeline pipeline = ModelLoader.load(root, loadOptions);
        boolean ok = false;
        try {
            warnIfHalfPrecisionOnCpu(pipeline);
            int resolution = pipeline.vaeScaleFactor() * pipeline.unet().config.sampleSize();
            List<BufferedImage> instances = InstanceImages.load(settings.instanceDir(), resolution);
            requireMemory(
                    pipeline,
                    resolution,
                    instances.size() + (settings.withPriorPreservation() ? settings.numClassImages() : 0));
            List<BufferedImage> classes =
                    settings.withPriorPreservation() ? classImages(pipeline, resolution) : List.of();
            DenoisingLoss denoising = new DenoisingLoss(pipeline.schedulerConfig());
            LoraNetwork lora = null;
            if (settings.lora()) {
                // seeded as diffusers' set_seed(args.seed) before the adapters are made: a run's LoRA starts from
                // the same random weights every time, whatever drew from the generator before
                try (Randomness.Held generator = Randomness.seeded(settings.seed())) {
                    lora = LoraNetwork.create(
                            pipeline.unet(),
                            settings.trainTextEncoder() ? pipeline.textEncoder() : null,
                            settings.loraRank(),
                            settings.loraAlpha(),
                            pipeline.manager());
                }
            }
            boolean trainTextEncoder = settings.trainTextEncoder() && lora == null;
            TrainingPrecision precision = new TrainingPrecision(pipeline, root);
            DataType frozenType = settings.lowPrecision() == null ? DataType.FLOAT32 : settings.lowPrecision();
            precision.freeze(pipeline.vae(), "vae", frozenType);
            if (lora == null) {
                precision.train(pipeline.unet());
            } else {
                precision.freeze(pipeline.unet(), "unet", frozenType);
            }
            if (trainTextEncoder) {
                precision.train(pipeline.textEncoder());
            } else {
                precision.freeze(pipeline.textEncoder(), "text_encoder", frozenType);
            }
            DreamBoothObjective objective = new DreamBoothObjective(
                    pipeline.vae(),
                    pipeline.textEncoder(),
                    pipeline.unet(),
                    denoising,
                    data(pipeline, instances, classes),
                    NoiseDraws.random(denoising, settings.offsetNoise()),
                    new DreamBoothObjective.Options(
                            trainTextEncoder, settings.priorLossWeight(), settings.snrGamma(), settings.lowPrecision()),
                    identity(),
                    lora);
            TrainingSettings loopSettings = new TrainingSettings(
                    settings.maxTrainSteps(),
                    settings.learningRate(),
                    settings.schedule(),
                    settings.gradientAccumulationSteps(),
                    settings.maxGradNorm(),
                    settings.adam(),
                    settings.seed(),
                    settings.checkpointEvery(),
                    settings.keepCheckpoints(),
                    runFolder,
                    settings.lowPrecision() == DataType.FLOAT16,
                    settings.gradientCheckpointing());
            TrainingLog[] lastLog = new TrainingLog[1];
            TrainingListener withValidation = new TrainingListener() {
                @Override
                public void onStart(String name, long startStep, long totalSteps) {
                    listener.onStart(name, startStep, totalSteps);
                }

                @Override
                public void onProgress(String name, long done, long total) {
                    listener.onProgress(name, done, total);
                }

                @Override
                public void onGradients(long step, Map<String, NDArray> clipped, double normBeforeClip) {
                    listener.onGradients(step, clipped, normBeforeClip);
                }

                @Override
                public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                    lastLog[0] = log;
                    listener.onStep(row, totalSteps, log);
                    boolean due = settings.validationEvery() > 0 && row.step() % settings.validationEvery() == 0;
                    if (settings.validationPrompt() != null && (due || row.step() == totalSteps)) {
                        try {
                            listener.onValidation(row.step(), validationImages(pipeline));
                        } catch (CancellationException interrupted) {
                            // Interrupted while drawing validation images: let the loop stop at this step
                            // boundary and write its checkpoint, as for any interrupt.
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void onCheckpoint(CheckpointStore.Checkpoint checkpoint) {
                    listener.onCheckpoint(checkpoint);
                }
            };
            if (settings.validationPrompt() != null && resumeFrom == null) {
                listener.onValidation(0, validationImages(pipeline));
            }
            TrainingResult result = new TrainingLoop(loopSettings, withValidation, cancel, allowChangedSettings)
                    .run(objective, resumeFrom);
            Path model = null;
            if (!result.interrupted() && lora != null) {
                model = settings.outputDir()
                        .resolve(
                                settings.loraFormat() == LoraFormat.KOHYA
                                        ? settings.outputDir().toAbsolutePath().getFileName() + ".safetensors"
                                        : "pytorch_lora_weights.safetensors");
                lora.save(model, settings.loraFormat());
            }
            try {
                precision.restoreFrozen(); // after the adapters are saved: they do not depend on it
            } catch (EngineException e) {
                throw new EngineException("reading the base model's frozen weights back after training failed ("
                        + e.getMessage() + "); the trained weights are safe in the last checkpoint in " + runFolder
                        + ": put " + root + " back as it was and resume from it");
            }
            if (!result.interrupted() && lora == null) {
                model = settings.outputDir().resolve("model");
                DiffusersWriter.write(
                        model,
                        pipeline.textEncoder(),
                        pipeline.unet(),
                        pipeline.vae(),
                        tokenizerFolder,
                        pipeline.schedulerConfig(),
                        DataType.FLOAT32);
                GenerationDefaults.forModel(baseModel).recordIn(model); // a fine-tuned model draws as its base
            }
            precision.close();
            ok = true;
            return new Run(
                    pipeline,
                    result,
                    lastLog[0],
                    new CheckpointStore(runFolder, settings.keepCheckpoints()).list(),
                    model);
        } finally {
            if (!ok) {
                pipeline.close();
            }
        }
    }

    /**
     * float16 on a CPU saves memory but not time: libtorch's CPU kernels for it are far slower than float32's (an
     * SD 1.5-size LoRA step at 512² on one libtorch thread of this project's CPU machine: 449–470 s in float16,
     * 34–41 s in float32). The run goes on — memory may be what is short, and the memory estimate suggests fp16 only
     * after every other option — but says so first.
     */
    private void warnIfHalfPrecisionOnCpu(StableDiffusionPipeline pipeline) {
        if (settings.lowPrecision() == DataType.FLOAT16
                && Device.Type.CPU.equals(pipeline.device().getDeviceType())) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "mixed precision fp16 on the CPU makes every step about 10x slower than float32 (it only saves"
                            + " memory); use --mixed-precision no unless memory is short");
        }
    }

    /**
     * Refuses, in one line, a run that would not fit in the memory left once the model is loaded, saying which option
     * would — before class images are generated and before the first step, instead of the process being killed in it.
     */
    private void requireMemory(StableDiffusionPipeline pipeline, int resolution, int images) {
        long unet = pipeline.unet().parameterCount();
        long textEncoder = pipeline.textEncoder().parameterCount();
        long vae = pipeline.vae().parameterCount();
        boolean lora = settings.lora();
        boolean trainTextEncoder = settings.trainTextEncoder();
        // rank-4 adapters on the attention layers are about a thousandth of the models (SD 1.5's UNet: 0.8 M)
        long rank4 = (unet + (trainTextEncoder ? textEncoder : 0)) / 1000;
        long trainable = lora ? rank4 * settings.loraRank() / 4 : unet + (trainTextEncoder ? textEncoder : 0);
        int samples = settings.trainBatchSize() * (settings.withPriorPreservation() ? 2 : 1);
        MemoryBudget.TrainingJob job = new MemoryBudget.TrainingJob(
                unet,
                textEncoder,
                vae,
                trainTextEncoder,
                trainable,
                rank4,
                pipeline.unet().config.blockOutChannels()[0],
                resolution,
                samples,
                lora,
                settings.gradientCheckpointing(),
                settings.lowPrecision() != null,
                pipeline.dtype(),
                4L * resolution * resolution * images);
        MemoryBudget.forTraining("DreamBooth training", job).check();
        MemoryBudget.checkHeap("DreamBooth training", job.heapBytes());
    }

    /** The class folder's images, generating (and saving) the missing ones with the class prompt first. */
    private List<BufferedImage> classImages(StableDiffusionPipeline pipeline, int resolution) {
        Path folder = settings.classDir();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new EngineException("cannot create the class folder " + folder + ": " + e.getMessage());
        }
        int have = InstanceImages.imageFiles(folder).size();
        int want = settings.numClassImages();
        for (int i = have; i < want; i++) {
            if (cancel.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                throw new CancellationException("stopped while generating class images");
            }
            GenerationSettings classImage = GenerationSettings.builder()
                    .prompt(settings.classPrompt())
                    .steps(VALIDATION_STEPS)
                    .sampler("euler")
                    .seed(settings.seed() + 1_000 + i)
                    .size(resolution, resolution)
                    .build();
            BufferedImage image = pipeline.txt2img(classImage).images().get(0);
            Png.write(
                    image,
                    GenerationParameters.of(
                                    classImage, 0, baseModel.getFileName().toString())
                            .pngText(),
                    folder.resolve(String.format("class-%04d.png", i)));
            listener.onClassImages(i + 1 - have, want - have);
        }
        List<BufferedImage> images = InstanceImages.load(folder, resolution);
        return images.subList(0, Math.min(want, images.size()));
    }

    /** Step → batch: instance (and class) examples in a fresh seeded order every epoch, optionally flipped. */
    private DreamBoothData data(
            StableDiffusionPipeline pipeline, List<BufferedImage> instances, List<BufferedImage> classes) {
        long[] instanceIds = pipeline.tokenizer().encode(settings.instancePrompt());
        long[] classIds =
                settings.withPriorPreservation() ? pipeline.tokenizer().encode(settings.classPrompt()) : null;
        int length = instanceIds.length;
        int batch = settings.trainBatchSize();
        return (scope, step, micro) -> {
            List<BufferedImage> images = new ArrayList<>();
            List<long[]> prompts = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                long position = (step * settings.gradientAccumulationSteps() + micro) * batch + i;
                images.add(pick(instances, position, 0));
                prompts.add(instanceIds);
            }
            for (int i = 0; !classes.isEmpty() && i < batch; i++) {
                long position = (step * settings.gradientAccumulationSteps() + micro) * batch + i;
                images.add(pick(classes, position, 1));
                prompts.add(classIds);
            }
            long[] ids = new long[prompts.size() * length];
            for (int i = 0; i < prompts.size(); i++) {
                System.arraycopy(prompts.get(i), 0, ids, i * length, length);
            }
            NDArray pixels = ImageBatch.of(scope, images);
            return new DreamBoothBatch(pixels, scope.create(ids, new Shape(prompts.size(), length)), batch);
        };
    }

    /** The example at a position of the stream: epoch-wise seeded shuffle, seeded flip. */
    private BufferedImage pick(List<BufferedImage> images, long position, int stream) {
        int n = images.size();
        long epoch = position / n;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(settings.seed() * 31 + epoch * 2 + stream));
        BufferedImage image = images.get(order.get((int) (position % n)));
        if (settings.randomFlip()
                && new Random(settings.seed() ^ (position * 0x9E3779B97F4A7C15L + stream)).nextBoolean()) {
            return InstanceImages.flipped(image);
        }
        return image;
    }

    private List<BufferedImage> validationImages(StableDiffusionPipeline pipeline) {
        int resolution = pipeline.vaeScaleFactor() * pipeline.unet().config.sampleSize();
        return pipeline.txt2img(GenerationSettings.builder()
                        .prompt(settings.validationPrompt())
                        .steps(VALIDATION_STEPS)
                        .sampler("euler")
                        .seed(settings.seed())
                        .imagesPerPrompt(2)
                        .size(resolution, resolution)
                        .build())
                .images();
    }

    private Map<String, Object> identity() {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("base_model", baseModel.toAbsolutePath().normalize().toString());
        identity.put("train_text_encoder", settings.trainTextEncoder());
        identity.put("lora_rank", settings.loraRank());
        if (settings.lora()) {
            identity.put("lora_alpha", settings.loraAlpha()); // so a checkpoint loads as a model (DreamBoothOutput)
        }
        return identity;
    }
}
