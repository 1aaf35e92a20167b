package dev.easel;

import dev.easel.engine.dreambooth.DreamBoothSettings;
import dev.easel.engine.dreambooth.DreamBoothTrainer;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.train.CheckpointStore;
import dev.easel.engine.train.LearningRateSchedule;
import dev.easel.engine.train.TrainingLog;
import dev.easel.notebook.TrainingDisplay;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * A DreamBooth fine-tuning of a loaded model, with diffusers' option names and defaults:
 * {@code sd.dreambooth(Path.of("dog"), "a photo of sks dog").priorPreservation("a photo of dog", Path.of("dogs"), 50)
 * .steps(200).learningRate(1e-4).run()}. While it runs, one output area shows the progress, the loss chart and the
 * latest validation images; an interrupt stops at the next step with a checkpoint ({@link #resume(Path)} goes on).
 */
public final class DreamBooth {

    private final Model base;
    private final DreamBoothSettings.Builder settings;
    private Path resume;
    private boolean overrideCheckpointSettings;
    private boolean show = true;

    DreamBooth(Model base, Path instanceDir, String instancePrompt) {
        this.base = base;
        this.settings = DreamBoothSettings.builder(instanceDir, instancePrompt);
    }

    /** Prior preservation: {@code count} class images of {@code classPrompt} in {@code classDir} (made if missing). */
    public DreamBooth priorPreservation(String classPrompt, Path classDir, int count) {
        settings.priorPreservation(classPrompt, classDir, count, 1.0);
        return this;
    }

    public DreamBooth priorPreservation(String classPrompt, Path classDir, int count, double priorLossWeight) {
        settings.priorPreservation(classPrompt, classDir, count, priorLossWeight);
        return this;
    }

    public DreamBooth steps(int maxTrainSteps) {
        settings.maxTrainSteps(maxTrainSteps);
        return this;
    }

    public DreamBooth learningRate(double lr) {
        settings.learningRate(lr);
        return this;
    }

    /** {@code constant}, {@code constant_with_warmup}, {@code linear} or {@code cosine}, with warmup steps. */
    public DreamBooth lrScheduler(String name, int warmupSteps) {
        settings.lrScheduler(LearningRateSchedule.Kind.named(name), warmupSteps);
        return this;
    }

    public DreamBooth batch(int size, int gradientAccumulation) {
        settings.batch(size, gradientAccumulation);
        return this;
    }

    public DreamBooth trainTextEncoder(boolean train) {
        settings.trainTextEncoder(train);
        return this;
    }

    /** LoRA of this rank (and alpha; 0 = rank) instead of fine-tuning every weight. */
    public DreamBooth lora(int rank, double alpha) {
        settings.lora(rank, alpha);
        return this;
    }

    /**
     * The layout of a LoRA run's file: {@code diffusers} (default, {@code pytorch_lora_weights.safetensors}) or
     * {@code kohya} ({@code <output folder>.safetensors}, which A1111 and ComfyUI load).
     */
    public DreamBooth loraFormat(String format) {
        settings.loraFormat(dev.easel.engine.lora.LoraFormat.parse(format));
        return this;
    }

    public DreamBooth randomFlip(boolean flip) {
        settings.randomFlip(flip);
        return this;
    }

    public DreamBooth maxGradNorm(double norm) {
        settings.maxGradNorm(norm);
        return this;
    }

    public DreamBooth offsetNoise(double offset) {
        settings.offsetNoise(offset);
        return this;
    }

    public DreamBooth snrGamma(double gamma) {
        settings.snrGamma(gamma);
        return this;
    }

    /** "no" or "fp16": compute in float16 with float32 master weights (diffusers' --mixed_precision). */
    public DreamBooth mixedPrecision(String precision) {
        settings.mixedPrecision(precision);
        return this;
    }

    /**
     * Recompute the UNet's block activations in the backward pass instead of keeping them (diffusers'
     * {@code --gradient_checkpointing}): less memory, more time per step (each block runs twice), the same gradients.
     */
    public DreamBooth gradientCheckpointing(boolean on) {
        settings.gradientCheckpointing(on);
        return this;
    }

    public DreamBooth seed(long seed) {
        settings.seed(seed);
        return this;
    }

    /** Validation images of {@code prompt} (fixed seed) every {@code every} steps, shown as the run goes. */
    public DreamBooth validation(String prompt, int every) {
        settings.validation(prompt, every);
        return this;
    }

    public DreamBooth checkpoints(int every, int keep) {
        settings.checkpoints(every, keep);
        return this;
    }

    /** The run's folder: checkpoints, loss.csv/jsonl, and the trained model or LoRA file. */
    public DreamBooth output(Path folder) {
        settings.outputDir(folder);
        return this;
    }

    /** Continues from a checkpoint (or the run folder's latest). */
    public DreamBooth resume(Path checkpoint) {
        this.resume = checkpoint;
        return this;
    }

    /**
     * Resumes even when the seed, learning rate or schedule differ from the checkpoint's: the run goes on with the
     * new ones and is no longer exact (without this, such a resume is refused with a line naming the differences).
     */
    public DreamBooth overrideCheckpointSettings(boolean override) {
        this.overrideCheckpointSettings = override;
        return this;
    }

    /** Whether to show the live output area (default yes). */
    public DreamBooth show(boolean live) {
        this.show = live;
        return this;
    }

    /**
     * Trains. Bad settings fail at once with one line; an interrupt stops at the next step boundary with a
     * checkpoint and returns normally (the result says so).
     */
    public DreamBoothRun run() {
        DreamBoothSettings built = settings.build();
        TrainingDisplay view = show ? new TrainingDisplay("DreamBooth") : null;
        DreamBoothTrainer.Listener listener = new DreamBoothTrainer.Listener() {
            @Override
            public void onStart(String name, long startStep, long totalSteps) {
                if (view != null) {
                    view.start(startStep, totalSteps);
                }
            }

            @Override
            public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                if (view != null) {
                    view.step(row, log);
                }
            }

            @Override
            public void onClassImages(int done, int total) {
                if (view != null) {
                    view.status("generating class images " + done + "/" + total);
                }
            }

            @Override
            public void onValidation(long step, List<BufferedImage> images) {
                if (view != null) {
                    view.validation(step, images);
                }
            }

            @Override
            public void onCheckpoint(CheckpointStore.Checkpoint checkpoint) {
                if (view != null) {
                    view.status("checkpoint " + checkpoint.folder().getFileName() + " written");
                }
            }
        };
        LoadOptions options = base.device().startsWith("gpu") ? LoadOptions.defaults() : LoadOptions.cpu();
        DreamBoothTrainer.Run run;
        try {
            run = new DreamBoothTrainer(base.source(), options, built, listener, null)
                    .train(resume, overrideCheckpointSettings);
        } catch (RuntimeException | Error e) {
            if (view != null) {
                view.failed();
            }
            throw e;
        }
        // Its source is a folder a later run can load: the written model, else (LoRA, interrupted) the base.
        Path source = run.model() != null && !built.lora() ? run.model() : base.source();
        DreamBoothRun result =
                new DreamBoothRun(run, new Model(run.pipeline(), base.name() + "+dreambooth", source), built.lora());
        if (view != null) {
            view.finish(result.summary());
        }
        return result;
    }
}
