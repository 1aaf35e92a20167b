package dev.easel.engine.cli;

import dev.easel.engine.dreambooth.DreamBoothSettings;
import dev.easel.engine.dreambooth.DreamBoothTrainer;
import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.lora.LoraFormat;
import dev.easel.engine.options.CommandLine;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.options.OptionValues;
import dev.easel.engine.train.AdamW;
import dev.easel.engine.train.LearningRateSchedule;
import dev.easel.engine.train.TrainingLog;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/** {@code dreambooth}: fine-tune a model on a few images of a subject, headless, with a progress line. */
public final class DreamBoothCommand extends EngineCommand {

    @Override
    public String name() {
        return "dreambooth";
    }

    @Override
    public String summary() {
        return "fine-tune a model on a few images of a subject (DreamBooth, resumable)";
    }

    @Override
    protected String usage() {
        return CommandLine.help(
                name(),
                summary(),
                CommandOptions.DREAMBOOTH,
                "Required: --model, --instance-dir, --instance-prompt. Interrupt (Ctrl-C) stops at the next step with"
                        + " a checkpoint; --resume DIR goes on.");
    }

    @Override
    protected int execute(List<String> argv) {
        OptionValues a = CommandLine.parse(argv, CommandOptions.DREAMBOOTH, name());
        String modelArg = a.required("model");
        Path model = DefaultModel.isDefault(modelArg) ? DefaultModel.path() : Path.of(modelArg);
        DreamBoothSettings.Builder b = DreamBoothSettings.builder(
                        Path.of(a.required("instance-dir")), a.required("instance-prompt"))
                .maxTrainSteps(a.integer("steps"))
                .learningRate(a.number("lr"))
                .lrScheduler(LearningRateSchedule.Kind.named(a.string("lr-scheduler")), a.integer("warmup"))
                .batch(a.integer("batch"), a.integer("grad-accum"))
                .trainTextEncoder(a.flag("train-text-encoder"))
                .randomFlip(a.flag("flip"))
                .maxGradNorm(a.number("max-grad-norm"))
                .adam(AdamW.Settings.DEFAULT)
                .offsetNoise(a.number("offset-noise"))
                .snrGamma(a.number("snr-gamma"))
                .mixedPrecision(a.string("mixed-precision"))
                .seed(a.longInteger("seed"))
                .gradientCheckpointing(a.flag("gradient-checkpointing"))
                .checkpoints(a.integer("checkpoint-every"), a.integer("keep"))
                .lora(a.integer("lora-rank") != null ? a.integer("lora-rank") : 0, a.number("lora-alpha"))
                .loraFormat(LoraFormat.parse(a.string("lora-format")))
                .outputDir(Path.of(a.string("output")));
        if (a.string("class-prompt") != null) {
            b.priorPreservation(
                    a.string("class-prompt"),
                    a.string("class-dir") != null ? Path.of(a.string("class-dir")) : null,
                    a.integer("num-class-images"),
                    a.number("prior-loss-weight"));
        }
        if (a.string("validation-prompt") != null) {
            b.validation(a.string("validation-prompt"), a.integer("validation-every"));
        }
        DreamBoothSettings settings = b.build();
        Path resume = a.string("resume") != null ? Path.of(a.string("resume")) : null;

        TrainingProgressLine line = new TrainingProgressLine(System.out);
        try (GracefulStop stop = new GracefulStop()) {
            DreamBoothTrainer.Listener listener = new DreamBoothTrainer.Listener() {
                @Override
                public void onStart(String name, long startStep, long totalSteps) {
                    line.onStart("dreambooth", startStep, totalSteps);
                }

                @Override
                public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                    line.onStep(row, totalSteps, log);
                }

                @Override
                public void onClassImages(int done, int total) {
                    line.onProgress("class images", done, total);
                }

                @Override
                public void onValidation(long step, List<BufferedImage> images) {
                    // headless: validation images are for notebooks; the loss line is the progress here
                }
            };
            DreamBoothTrainer.Run run = new DreamBoothTrainer(
                            model, LoadOptions.defaults(), settings, listener, stop::requested)
                    .train(resume, a.flag("override"));
            run.pipeline().close();
            line.done();
            System.out.println(run.result().summary());
            if (run.model() == null) {
                System.out.println("stopped; continue with --resume " + settings.outputDir());
                return 130;
            }
            System.out.println((settings.lora() ? "LoRA" : "model") + " written to " + run.model());
            return 0;
        }
    }
}
