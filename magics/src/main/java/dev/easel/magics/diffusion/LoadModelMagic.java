package dev.easel.magics.diffusion;

import dev.easel.Easel;
import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.options.Option;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import javax.lang.model.SourceVersion;

/**
 * {@code %load_model [PATH | default] [--as NAME] [--device cpu|gpu] [--dtype fp32|fp16]
 * [--prediction-type epsilon|v_prediction] [--vae PATH]
 * [--lora-dir DIR] [--embeddings-dir DIR]}.
 */
public final class LoadModelMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("load_model", "Load a Stable Diffusion model and bind it to a Java variable (sd)")
                .optionalPositional(
                        "PATH", "a diffusers folder, a .safetensors or .ckpt file, or default (the default)")
                .option(Option.string("as", "NAME", "sd", "the Java variable (and --model name) to bind it to"))
                .option(Option.choice("device", List.of("cpu", "gpu"), null, "where to run (default: gpu if present)"))
                .option(CommandOptions.DTYPE)
                .option(CommandOptions.PREDICTION_TYPE)
                .option(Option.string("vae", "PATH", null, "decode with this VAE: a vae/ folder or a .safetensors"))
                .option(Option.string(
                        "lora-dir",
                        "DIR",
                        null,
                        "where <lora:name:0.8> in a prompt finds name.safetensors (default: Lora/ beside the model)"))
                .option(Option.string(
                        "embeddings-dir",
                        "DIR",
                        null,
                        "embeddings used when their names appear in a prompt (default: embeddings/ beside the model)"))
                .note("Loading the same path on the same device and dtype again reuses the loaded model.\n"
                        + "Then: %txt2img a red circle, or in Java: sd.txt2img(\"a red circle\").run()")
                .example("%load_model default")
                .example("%load_model models/v1-5-pruned-emaonly.safetensors --as v15 --device gpu --dtype fp16");
    }

    @Override
    public List<String> optionValues(String option) {
        return option.equals("PATH") ? List.of("default") : super.optionValues(option); // and paths: a PATH
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        String name = args.string("as");
        if (!SourceVersion.isName(name)) {
            throw new MagicException("--as: '" + name + "' is not a Java variable name — use letters, digits and _, "
                    + "not starting with a digit, and not a keyword (e.g. --as sd2)");
        }
        String requested = args.positional("PATH").orElse("default");
        long start = System.nanoTime();
        ModelRegistry.Loaded loaded;
        try {
            Path path = Easel.resolveModelPath(requested, context.workingDirectory());
            loaded =
                    Easel.load(path, args.string("device"), args.string("dtype"), args.string("prediction-type"), true);
        } catch (CancellationException interrupted) {
            throw interrupted;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new MagicException("%load_model: " + DiffusionRun.firstLine(e.getMessage()));
        }
        Model model = loaded.model();
        try {
            model.vae(args.string("vae") == null ? null : context.path(args.string("vae")));
        } catch (IllegalArgumentException e) {
            throw new MagicException("%load_model --vae: " + DiffusionRun.firstLine(e.getMessage()));
        }
        model.loraDir(args.string("lora-dir") == null ? null : context.path(args.string("lora-dir")));
        model.embeddingsDir(args.string("embeddings-dir") == null ? null : context.path(args.string("embeddings-dir")));
        context.bind(name, Model.class, model);
        ModelRegistry.global().name(name, model);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println((loaded.reused()
                        ? "Reusing " + model.name() + " (" + model.device() + ", " + model.dtype() + "), already loaded"
                        : String.format(
                                "Loaded %s (%s, %s) in %.1f s", model.name(), model.device(), model.dtype(), seconds))
                + " → variable " + name);
    }
}
