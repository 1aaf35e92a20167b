package dev.easel.magics.diffusion;

import dev.easel.DreamBooth;
import dev.easel.DreamBoothRun;
import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.display.Display;
import dev.easel.engine.options.CommandOptions;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import javax.lang.model.SourceVersion;

/**
 * {@code %dreambooth --instance-dir DIR --instance-prompt TEXT [options]} and {@code %%dreambooth} with the same
 * settings as YAML: fine-tunes the current (or {@code --model}) model in the kernel, showing progress, the loss chart
 * and validation images live, and binds the trained model to {@code --as} (default {@code sd_db}) and the run to
 * {@code <as>_run}. The base stays the current model, so {@code --resume} trains the same base again.
 */
public final class DreamBoothMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("dreambooth", "Fine-tune the model on a few images of a subject (DreamBooth, LoRA)")
                .options(CommandOptions.DREAMBOOTH)
                .cellBody("the same settings as YAML: instance_dir, instance_prompt, steps, …")
                .note("Shows one live output: progress, the loss chart (raw, smoothed, learning rate) and validation\n"
                        + "images. Interrupt stops at the next step with a checkpoint; --resume DIR goes on.\n"
                        + "Checkpoints and loss.csv/loss.jsonl go to OUTPUT/checkpoints, the model to OUTPUT/model.")
                .example(
                        "%dreambooth --instance-dir dog --instance-prompt \"a photo of sks dog\" --steps 200 --lr 1e-4")
                .example(
                        "%%dreambooth\ninstance_dir: dog\ninstance_prompt: a photo of sks dog\nlora_rank: 4\nsteps: 100");
    }

    @Override
    protected void run(ParsedArgs lineArgs, CellPart.MagicCall call, MagicContext context) {
        ParsedArgs args = lineArgs;
        if (call.isCellMagic()) {
            args = spec().parse(
                            (call.args() + " " + YamlSettings.toArguments(call.body(), "", call.spelled())).strip(),
                            call.spelled());
        }
        String instanceDir = required(args, "instance-dir", call, "--instance-dir DIR (a folder of subject images)");
        String instancePrompt = required(args, "instance-prompt", call, "--instance-prompt \"a photo of sks dog\"");
        String variable = args.string("as");
        if (!SourceVersion.isName(variable)) {
            throw new MagicException("--as " + variable + " is not a Java variable name");
        }
        Model model = GenerationOptions.model(args, context);
        DreamBooth job = model.dreambooth(context.path(instanceDir), instancePrompt)
                .steps(args.integer("steps"))
                .learningRate(args.number("lr"))
                .batch(args.integer("batch"), args.integer("grad-accum"))
                .trainTextEncoder(args.flag("train-text-encoder"))
                .randomFlip(args.flag("flip"))
                .maxGradNorm(args.number("max-grad-norm"))
                .offsetNoise(args.number("offset-noise"))
                .snrGamma(args.number("snr-gamma"))
                .mixedPrecision(args.string("mixed-precision"))
                .gradientCheckpointing(args.flag("gradient-checkpointing"))
                .seed(args.longInteger("seed"))
                .checkpoints(args.integer("checkpoint-every"), args.integer("keep"))
                .output(context.path(args.string("output")));
        try {
            job.lrScheduler(args.string("lr-scheduler"), args.integer("warmup"));
            if (args.integer("lora-rank") != null) {
                job.lora(args.integer("lora-rank"), args.number("lora-alpha")).loraFormat(args.string("lora-format"));
            }
            if (args.string("class-prompt") != null) {
                String classDir = required(args, "class-dir", call, "--class-dir DIR for the class images");
                job.priorPreservation(
                        args.string("class-prompt"),
                        context.path(classDir),
                        args.integer("num-class-images"),
                        args.number("prior-loss-weight"));
            }
            if (args.string("validation-prompt") != null) {
                job.validation(args.string("validation-prompt"), args.integer("validation-every"));
            }
            if (args.string("resume") != null) {
                job.resume(context.path(args.string("resume"))).overrideCheckpointSettings(args.flag("override"));
            }
        } catch (IllegalArgumentException e) {
            throw new MagicException(call.spelled() + ": " + e.getMessage());
        }
        DreamBoothRun run;
        try {
            run = job.run();
        } catch (IllegalArgumentException | IllegalStateException e) { // EngineException: in Magics.run
            throw new MagicException(call.spelled() + ": " + DiffusionRun.firstLine(e.getMessage()));
        }
        Display.display(run);
        ModelRegistry.global().nameAside(variable, run.model());
        context.bind(variable, Model.class, run.model());
        context.bind(variable + "_run", DreamBoothRun.class, run);
    }

    private static String required(ParsedArgs args, String option, CellPart.MagicCall call, String example) {
        String value = args.string(option);
        if (value == null || value.isBlank()) {
            throw new MagicException(call.spelled() + " needs " + example);
        }
        return value;
    }
}
