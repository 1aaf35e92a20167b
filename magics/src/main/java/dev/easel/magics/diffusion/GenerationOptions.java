package dev.easel.magics.diffusion;

import dev.easel.GenerationRequest;
import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.Txt2Img;
import dev.easel.engine.EngineException;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.options.CommandOptions;
import dev.easel.engine.options.OptionSet;
import dev.easel.engine.options.Suggest;
import dev.easel.engine.pipeline.HiresFix;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import java.util.List;

/** The options {@code %txt2img} and {@code %img2img} share, and how they become a {@link GenerationRequest}. */
final class GenerationOptions {

    private GenerationOptions() {}

    /** The options of {@code %txt2img} (and, with {@code declared}, of {@code %img2img}): the engine's declaration. */
    static MagicSpec declare(MagicSpec spec, OptionSet declared) {
        return spec.options(declared);
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
            return registry.current()
                    .orElseThrow(() -> new MagicException(args.spelled()
                            + ": no model loaded — run %load_model default (or %load_model PATH) first"));
        }
        return registry.byName(name)
                .or(() -> context.variable(name).filter(Model.class::isInstance).map(Model.class::cast))
                .orElseThrow(() -> new MagicException(args.spelled() + ": no model called " + name
                        + Suggest.hint(name, registry.names(), "")
                        + (registry.names().isEmpty()
                                ? " — none is loaded: run %load_model default --as " + name
                                : " (loaded: " + String.join(", ", registry.names()) + ")")));
    }

    /** Applies the shared options (paths relative to the notebook); bad values become one-line errors naming it. */
    static <R extends GenerationRequest<R>> R apply(R request, ParsedArgs args, MagicContext context) {
        settings(request, args);
        try {
            request.batch(args.integer("batch"));
            if (args.string("vae") != null) {
                request.vae(context.path(args.string("vae")));
            }
            for (LoraSpec lora : loras(args, context)) {
                request.lora(lora.file(), lora.weight());
            }
        } catch (IllegalArgumentException e) {
            throw new MagicException(args.spelled() + ": " + e.getMessage());
        }
        return request;
    }

    /**
     * The generation settings every generating magic shares ({@code %xyz}'s base too): size, negative prompt, clip
     * skip, eta, and steps, CFG, sampler and seed when given (else the model's defaults apply).
     */
    static <R extends GenerationRequest<R>> R settings(R request, ParsedArgs args) {
        try {
            CommandOptions.RequestedSize size = CommandOptions.size(args.options());
            if (size.width() != null && size.height() != null) {
                request.size(size.width(), size.height());
            } else if (size.given()) {
                request.width(size.width()).height(size.height()); // the other side stays the model's
            }
            request.negative(negative(args)).clipSkip(args.integer("clip-skip")).eta(args.number("eta"));
            VaeTiling tiling = CommandOptions.vaeTiling(args.options());
            request.vaeTiling(tiling != null);
            if (tiling != null && tiling.tileSize() > 0) {
                request.vaeTileSize(tiling.tileSize());
            }
            if (args.integer("steps") != null) {
                request.steps(args.integer("steps"));
            }
            if (args.number("cfg") != null) {
                request.cfg(args.number("cfg"));
            }
            if (args.longInteger("seed") != null) {
                request.seed(args.longInteger("seed"));
            }
            a1111(request, args);
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

    /**
     * Schedule, variation seed, plain prompt and (txt2img only) hires fix, where the magic declares them: the
     * engine's declaration reads the hires options, so a notebook and the command line take them alike.
     */
    private static void a1111(GenerationRequest<?> request, ParsedArgs args) {
        if (!args.options().declares("schedule")) {
            return;
        }
        if (args.given("schedule")) {
            request.schedule(args.string("schedule"));
        }
        if (args.given("subseed") || args.given("subseed-strength")) {
            request.variation(
                    args.longInteger("subseed") == null ? 0 : args.longInteger("subseed"),
                    args.number("subseed-strength") == null ? 1.0 : args.number("subseed-strength"));
        }
        request.plainPrompt(args.flag("plain-prompt"));
        HiresFix hires = CommandOptions.hires(args.options(), null);
        if (hires != null && request instanceof Txt2Img txt2img) {
            txt2img.hires(hires);
        }
    }

    /** The one negative prompt a notebook request takes. */
    static String negative(ParsedArgs args) {
        if (args.all("negative").size() > 1) {
            throw new MagicException(args.spelled() + ": give one --negative (commas separate its parts)");
        }
        return args.string("negative");
    }

    /** The LoRAs of {@code --lora} (repeated, or FILE:W,FILE:W), files relative to the notebook. */
    static List<LoraSpec> loras(ParsedArgs args, MagicContext context) {
        try {
            return CommandOptions.loras(args.options(), context.workingDirectory());
        } catch (IllegalArgumentException | EngineException e) {
            throw new MagicException("--lora: " + e.getMessage());
        }
    }

    /** The prompt: the rest of the line, or the body of a cell magic. */
    static String prompt(ParsedArgs args, CellPart.MagicCall call) {
        String line = args.positional("PROMPT").orElse("");
        String body = call.isCellMagic() ? call.body().strip() : "";
        if (!line.isEmpty() && !body.isEmpty()) {
            throw new MagicException(
                    call.spelled() + ": give the prompt either after the options or as the cell body," + " not both");
        }
        String prompt = line.isEmpty() ? body : line;
        if (prompt.isEmpty()) {
            throw new MagicException(call.spelled() + " needs a prompt, e.g. %" + call.name()
                    + " --steps 20 a red circle" + (call.isCellMagic() ? " (or write it in the cell body)" : ""));
        }
        return prompt;
    }
}
