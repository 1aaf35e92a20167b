package dev.easel.engine.cli;

import dev.easel.engine.DefaultModel;
import dev.easel.engine.dreambooth.DreamBoothSettings;
import dev.easel.engine.dreambooth.DreamBoothTrainer;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.train.AdamW;
import dev.easel.engine.train.LearningRateSchedule;
import dev.easel.engine.train.TrainingLog;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code dreambooth}: fine-tune a model on a few images of a subject, headless, with a progress line. */
public final class DreamBoothCommand extends EngineCommand {

    private static final Set<String> FLAGS = Set.of("train-text-encoder", "flip");
    private static final String USAGE = "usage: dreambooth --model PATH|default --instance-dir DIR --instance-prompt TEXT"
            + " [--class-prompt TEXT --class-dir DIR --num-class-images N --prior-loss-weight F] [--steps N] [--lr F]"
            + " [--lr-scheduler constant|constant_with_warmup|linear|cosine --warmup N] [--batch N --grad-accum N]"
            + " [--train-text-encoder] [--lora-rank R --lora-alpha A] [--flip] [--max-grad-norm F] [--offset-noise F] [--snr-gamma F]"
            + " [--mixed-precision no|fp16] [--validation-prompt TEXT --validation-every N]"
            + " [--checkpoint-every N --keep K] [--output DIR]"
            + " [--resume DIR] [--seed N]";

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
        return USAGE;
    }

    @Override
    protected int execute(List<String> argv) {
        Args a = new Args(argv.stream().filter(s -> !FLAGS.contains(s.replaceFirst("^--", ""))).toList(),
                Set.of("model", "instance-dir", "instance-prompt", "class-prompt", "class-dir", "num-class-images",
                        "prior-loss-weight", "steps", "lr", "lr-scheduler", "warmup", "batch", "grad-accum",
                        "max-grad-norm", "offset-noise", "snr-gamma", "validation-prompt", "validation-every",
                        "checkpoint-every", "keep", "output", "resume", "seed", "lora-rank", "lora-alpha",
                        "mixed-precision"));
        String modelArg = a.required("model");
        Path model = DefaultModel.isDefault(modelArg) ? DefaultModel.path() : Path.of(modelArg);
        DreamBoothSettings.Builder b = DreamBoothSettings.builder(Path.of(a.required("instance-dir")),
                a.required("instance-prompt"))
                .maxTrainSteps(a.integer("steps", 400)).learningRate(a.number("lr", 5e-6))
                .lrScheduler(LearningRateSchedule.Kind.named(a.string("lr-scheduler", "constant")),
                        a.integer("warmup", 0))
                .batch(a.integer("batch", 1), a.integer("grad-accum", 1))
                .trainTextEncoder(argv.contains("--train-text-encoder")).randomFlip(argv.contains("--flip"))
                .maxGradNorm(a.number("max-grad-norm", 1.0)).adam(AdamW.Settings.DEFAULT)
                .offsetNoise(a.number("offset-noise", 0)).snrGamma(a.number("snr-gamma", 0))
                .mixedPrecision(a.string("mixed-precision", "no")).seed(a.longValue("seed", 0))
                .checkpoints(a.integer("checkpoint-every", 500), a.integer("keep", 3))
                .lora(a.integer("lora-rank", 0), a.number("lora-alpha", 0))
                .outputDir(Path.of(a.string("output", "dreambooth-model")));
        if (a.has("class-prompt")) {
            b.priorPreservation(a.string("class-prompt", null), a.has("class-dir")
                            ? Path.of(a.string("class-dir", null)) : null,
                    a.integer("num-class-images", 100), a.number("prior-loss-weight", 1.0));
        }
        if (a.has("validation-prompt")) {
            b.validation(a.string("validation-prompt", null), a.integer("validation-every", 100));
        }
        DreamBoothSettings settings = b.build();
        Path resume = a.has("resume") ? Path.of(a.string("resume", null)) : null;

        TrainingProgressLine line = new TrainingProgressLine(System.out);
        try (GracefulStop stop = new GracefulStop()) {
            DreamBoothTrainer.Listener listener = new DreamBoothTrainer.Listener() {
                @Override
                public void onStart(String name, long startStep, long totalSteps) {
                    line.onStart("dreambooth", startStep, totalSteps);
                }

                @Override
                public void onStep(TrainingLog.Row row, long totalSteps,
                                   TrainingLog log) {
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
            DreamBoothTrainer.Run run = new DreamBoothTrainer(model, LoadOptions.defaults(), settings, listener,
                    stop::requested).train(resume);
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
