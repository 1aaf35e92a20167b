package dev.easel.magics.diffusion;

import dev.easel.Model;
import dev.easel.Sweep;
import dev.easel.Txt2Img;
import dev.easel.Xyz;
import dev.easel.display.Display;
import dev.easel.engine.EngineException;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.sweep.Axis;
import dev.easel.engine.sweep.AxisType;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import dev.easel.notebook.Outputs;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.SourceVersion;

/**
 * {@code %xyz --x "steps:10,20,30" [--y …] [--z …] [options] PROMPT…} and {@code %%xyz} with the same settings as
 * YAML in the body: the web UIs' X/Y/Z plot. Shows the labelled grid and the table of every image, and binds the
 * {@link Sweep} to a variable ({@code --as}, default {@code sweep}) for filtering and plotting.
 */
public final class XyzMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("xyz", "X/Y/Z parameter sweep: a labelled image grid and a table of every image")
                .options(CommandOptions.XYZ)
                .rest("PROMPT", "the base prompt: the rest of the line")
                .cellBody("the same settings as YAML: x, y, z, prompt, steps, …")
                .note("Axes: "
                        + String.join(
                                ", ",
                                Arrays.stream(AxisType.values())
                                        .map(AxisType::id)
                                        .toList())
                        + ".\nValues as in the web UI: 1,2,3  \"a, b\",c  1-5  1-5 (+2)  10-5 (-3)  1-10 [5]"
                        + "  0.5-1.5 (+0.25); seed -1 is one random seed for the sweep.")
                .example(
                        "%xyz --x \"steps:10,20\" --y \"cfg:3-9 [3]\" --z \"sampler:euler,ddim\" --seed 1 a red circle")
                .example("%xyz --x \"checkpoint:run/checkpoints/checkpoint-100,run/checkpoints/checkpoint-200\""
                        + " --y \"seed:1,2\" a photo of sks dog")
                .example("%xyz --init outputs/00000-42.png --x \"strength:0.3-0.9 [4]\" --seed 1 a blue circle")
                .example("%%xyz\nprompt: a red circle on a blue background\nx: \"sampler:euler,ddim\"\ny: steps:10,20");
    }

    @Override
    public List<String> optionValues(String option) {
        return switch (option) {
            case "--x", "--y", "--z" ->
                Arrays.stream(AxisType.values()).map(t -> t.id() + ":").toList();
            default -> GenerationOptions.values(option);
        };
    }

    @Override
    protected void run(ParsedArgs lineArgs, CellPart.MagicCall call, MagicContext context) {
        ParsedArgs args = lineArgs;
        if (call.isCellMagic()) {
            String merged =
                    (call.args() + " " + YamlSettings.toArguments(call.body(), "prompt", call.spelled())).strip();
            args = spec().parse(merged, call.spelled());
        }
        String prompt = args.positional("PROMPT").orElse("").strip();
        if (prompt.isEmpty()) {
            throw new MagicException(call.spelled() + " needs a prompt, e.g. %xyz --x \"steps:10,20\" a red circle");
        }
        if (args.string("x") == null) {
            throw new MagicException(call.spelled() + " needs an X axis, e.g. --x \"steps:10,20,30\"");
        }
        String variable = args.string("as");
        if (!SourceVersion.isName(variable)) {
            throw new MagicException("--as " + variable + " is not a Java variable name");
        }
        Model model = GenerationOptions.model(args, context);
        Txt2Img base = GenerationOptions.settings(model.txt2img(prompt), args);
        Outputs.setNotebookDirectory(context.workingDirectory());
        Sweep sweep;
        try {
            Xyz xyz = model.xyz(base)
                    .x(axis(args, "x", context))
                    .margin(args.integer("margin"))
                    .legend(args.flag("legend"))
                    .maxMegapixels(args.number("max-megapixels"));
            if (args.string("y") != null) {
                xyz.y(axis(args, "y", context));
            }
            if (args.string("z") != null) {
                xyz.z(axis(args, "z", context));
            }
            if (args.string("init-image") != null) {
                BufferedImage image = Img2ImgMagic.initImage(args.string("init-image"), context);
                if (args.number("strength") != null) {
                    xyz.init(image, args.number("strength"));
                } else {
                    xyz.init(image);
                }
            }
            List<LoraSpec> loras = GenerationOptions.loras(args, context);
            if (loras.size() > 1) {
                throw new MagicException(
                        call.spelled() + ": a sweep applies one LoRA (weigh it with a lora_weight axis)");
            }
            for (LoraSpec lora : loras) {
                xyz.lora(lora.file(), lora.weight());
            }
            sweep = xyz.confirm(args.flag("yes")).run();
        } catch (IllegalArgumentException e) {
            throw new MagicException(call.spelled() + ": " + DiffusionRun.firstLine(e.getMessage()));
        }
        Display.display(sweep);
        context.bind(variable, Sweep.class, sweep);
    }

    private static Axis axis(ParsedArgs args, String role, MagicContext context) {
        Axis axis;
        try {
            axis = Axis.parse(args.string(role));
        } catch (IllegalArgumentException | EngineException e) {
            throw new MagicException("--" + role + ": " + e.getMessage());
        }
        if (axis.type() == AxisType.CHECKPOINT) {
            // Checkpoint folders are written relative to the notebook, like --output of %dreambooth.
            axis = Axis.of(
                    AxisType.CHECKPOINT,
                    axis.values().stream()
                            .map(v -> context.path((String) v).toString())
                            .toArray());
        }
        return axis;
    }
}
