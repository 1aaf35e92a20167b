package dev.easel.magics.diffusion;

import dev.easel.Model;
import dev.easel.engine.options.Option;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.nio.file.Path;
import java.util.List;

/** {@code %load_embedding FILE [--token T] [--model NAME]}: a textual-inversion embedding on a loaded model. */
public final class LoadEmbeddingMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic(
                        "load_embedding", "Load a textual-inversion embedding; its token can then be used in prompts")
                .positional("FILE", "an A1111 .safetensors or .pt embedding, or diffusers' learned_embeds")
                .option(Option.string(
                        "token",
                        "T",
                        null,
                        "the word that stands for it in prompts (default: the file name without extension)"))
                .option(Option.string("model", "NAME", null, "the model to load it on (default: the one loaded last)"))
                .note(
                        "Multi-vector embeddings add T, T_1, … to the tokenizer. sd.unloadEmbedding(\"T\") takes it off.\n"
                                + "Files in the embeddings folder (%load_model --embeddings-dir) load by themselves when a\n"
                                + "prompt names them.")
                .example("%load_embedding embeddings/EasyNegative.safetensors")
                .example("%load_embedding embeddings/bad_prompt_version2.pt")
                .example("%load_embedding learned_embeds.safetensors --token \"<cat-toy>\"");
    }

    @Override
    public List<String> optionValues(String option) {
        return GenerationOptions.values(option);
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        Path file = context.path(args.positional("FILE").orElseThrow());
        Model model = GenerationOptions.model(args, context);
        String token;
        try {
            token = model.loadEmbedding(file, args.string("token"));
        } catch (IllegalArgumentException e) {
            throw new MagicException("%load_embedding: " + DiffusionRun.firstLine(e.getMessage()));
        }
        System.out.println(
                "Loaded embedding " + token + " (" + model.embeddings().get(token) + " vector"
                        + (model.embeddings().get(token) == 1 ? "" : "s") + ") on " + model.name());
    }
}
