package dev.easel.magics.diffusion;

import dev.easel.ModelRegistry;
import dev.easel.GenerationRequest;
import dev.easel.Model;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.Option;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.Suggest;
import java.nio.file.Path;
import java.util.List;

/** The options {@code %txt2img} and {@code %img2img} share, and how they become a {@link GenerationRequest}. */
final class GenerationOptions {

    private GenerationOptions() {
    }

    static MagicSpec declare(MagicSpec spec) {
        return spec
                .option(Option.string("model", "NAME", null, "the model to use (default: the one loaded last)"))
                .option(Option.string("negative", "TEXT", "", "what not to draw"))
                .option(Option.integer("steps", "N", null, "sampling steps (default: the model's, else 20)")
                        .min(1).max(1000))
                .option(Option.floating("cfg", "F", null, "guidance scale, ≤ 1: off (default: the model's, else 7)")
                        .min(0))
                .option(Option.string("sampler", "ID", null, "sampler (default: the model's, else euler_a): "
                        + String.join(", ", GenerationRequest.samplers())))
                .option(Option.longInteger("seed", "N", null, "seed of the first image (-1 or none: random)").min(-1))
                .option(Option.size("size", null, "image size, multiples of 8 (default: the model's)"))
                .option(Option.integer("batch", "N", 1, "number of images, seeds seed, seed+1, …").min(1).max(64))
                .option(Option.integer("clip-skip", "N", 1, "A1111 clip skip: 1 = last layer, 2 = the one before").min(1))
                .option(Option.floating("eta", "F", 0.0, "DDIM eta").min(0))
                .option(Option.string("lora", "FILE[:WEIGHT]", null,
                        "apply a LoRA at a weight (default 1); several: FILE:W,FILE:W"))
                .option(Option.flag("no-save", "don't save the images as PNG in the outputs folder (%outputs)"));
    }

    /** The values {@code option} completes to. */
    static List<String> values(String option) {
        return switch (option) {
            case "--sampler" -> GenerationRequest.samplers();
            case "--model" -> ModelRegistry.global().names();
            default -> List.of();
        };
    }

    /** The model named by --model, else the current one; one-line errors saying what to do. */
    static Model model(ParsedArgs args, MagicContext context) {
        String name = args.string("model");
        ModelRegistry registry = ModelRegistry.global();
        if (name == null) {
            return registry.current().orElseThrow(() -> new MagicException(args.spelled()
                    + ": no model loaded — run %load_model default (or %load_model PATH) first"));
        }
        return registry.byName(name)
                .or(() -> context.variable(name).filter(Model.class::isInstance).map(Model.class::cast))
                .orElseThrow(() -> new MagicException(args.spelled() + ": no model called " + name
                        + Suggest.hint(name, registry.names(), "")
                        + (registry.names().isEmpty() ? " — none is loaded: run %load_model default --as " + name
                        : " (loaded: " + String.join(", ", registry.names()) + ")")));
    }

    /** Applies the shared options (paths relative to the notebook); bad values become one-line errors naming it. */
    static <R extends GenerationRequest<R>> R apply(R request, ParsedArgs args, MagicContext context) {
        Option.Size size = args.size("size");
        if (size != null && (size.width() % 8 != 0 || size.height() % 8 != 0)) {
            throw new MagicException("--size must be a multiple of 8 on each side, got " + size + " (try "
                    + Math.max(8, Math.round(size.width() / 8f) * 8) + "x"
                    + Math.max(8, Math.round(size.height() / 8f) * 8) + ")");
        }
        try {
            request.negative(args.string("negative")).batch(args.integer("batch"))
                    .clipSkip(args.integer("clip-skip")).eta(args.number("eta"));
            if (args.integer("steps") != null) {
                request.steps(args.integer("steps"));
            }
            if (args.number("cfg") != null) {
                request.cfg(args.number("cfg"));
            }
            if (size != null) {
                request.size(size.width(), size.height());
            }
            if (args.longInteger("seed") != null) {
                request.seed(args.longInteger("seed"));
            }
            if (args.string("lora") != null) {
                for (String one : args.string("lora").split(",")) {
                    LoraSpec lora = lora(one.strip(), context.workingDirectory());
                    request.lora(lora.file(), lora.weight());
                }
            }
        } catch (IllegalArgumentException e) {
            throw new MagicException(args.spelled() + ": " + e.getMessage());
        }
        try {
            if (args.string("sampler") != null) {
                request.sampler(args.string("sampler"));
            }
        } catch (IllegalArgumentException e) {
            throw new MagicException("--sampler: " + e.getMessage());
        }
        return request;
    }

    /** {@code FILE[:WEIGHT]} relative to the notebook. */
    private static LoraSpec lora(String text, Path workingDirectory) {
        try {
            return LoraSpec.parse(text, workingDirectory);
        } catch (IllegalArgumentException e) {
            throw new MagicException("--lora: " + e.getMessage());
        }
    }

    /** The prompt: the rest of the line, or the body of a cell magic. */
    static String prompt(ParsedArgs args, CellPart.MagicCall call) {
        String line = args.positional("PROMPT").orElse("");
        String body = call.isCellMagic() ? call.body().strip() : "";
        if (!line.isEmpty() && !body.isEmpty()) {
            throw new MagicException(call.spelled() + ": give the prompt either after the options or as the cell body,"
                    + " not both");
        }
        String prompt = line.isEmpty() ? body : line;
        if (prompt.isEmpty()) {
            throw new MagicException(call.spelled() + " needs a prompt, e.g. %" + call.name()
                    + " --steps 20 a red circle" + (call.isCellMagic() ? " (or write it in the cell body)" : ""));
        }
        return prompt;
    }
}
