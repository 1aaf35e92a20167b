package dev.easel.engine.community;

import dev.easel.engine.embeddings.EmbeddingSpec;
import dev.easel.engine.loading.VaeFiles;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.lora.PromptLoras;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The community files of one generation on a pipeline, as A1111 applies them: a replacement VAE, embeddings given
 * and those of the embeddings folder the prompts name, LoRAs given and those the prompts' {@code <lora:…>} tags
 * name (the tags then taken out of the prompts).
 */
public final class CommunityFiles {

    /**
     * @param settings the settings to generate with: prompts without LoRA tags
     * @param loras the LoRAs put on the pipeline, to {@link LoraNetwork#remove} afterwards
     * @param files the LoRA files and weights those are (given ones first, then those the prompts' tags named), for
     *              the image's parameters
     * @param notes lines for the user (keys of a LoRA that matched no layer, embeddings loaded from the folder)
     */
    public record Applied(
            GenerationSettings settings, List<LoraNetwork> loras, List<LoraSpec> files, List<String> notes) {}

    private CommunityFiles() {}

    /** Applies everything or nothing: on an error the LoRAs already put on come off again. */
    public static Applied apply(
            StableDiffusionPipeline pipe,
            Path model,
            GenerationSettings s,
            List<LoraSpec> loras,
            List<EmbeddingSpec> embeddings,
            Path vae,
            Path loraDir,
            Path embeddingsDir) {
        List<String> notes = new ArrayList<>();
        List<LoraNetwork> applied = new ArrayList<>();
        boolean ok = false;
        try {
            if (vae != null) {
                VaeFiles.use(pipe, vae);
            }
            for (EmbeddingSpec spec : embeddings) {
                pipe.embeddings().load(spec.file(), spec.token());
            }
            List<String> texts = new ArrayList<>(s.prompts());
            texts.addAll(s.negativePrompts());
            Path folder = EmbeddingSpec.folder(embeddingsDir, model);
            for (String token : pipe.embeddings().loadUsed(folder, texts)) {
                notes.add("embedding " + token + " from " + folder);
            }
            List<LoraSpec> specs = new ArrayList<>(loras);
            if (s.prompts().stream().anyMatch(PromptLoras::hasTags)) {
                // a LoRA given as a file and named by a tag too (a re-run PNG's prompt) is applied once, as given
                Set<String> given = new HashSet<>();
                loras.forEach(l -> given.add(GenerationParameters.loraName(l.file())));
                PromptLoras.find(s.prompts(), PromptLoras.folder(loraDir, model), given)
                        .forEach(specs::add);
            }
            for (LoraSpec spec : specs) {
                LoraNetwork network = pipe.loadLora(spec.file(), spec.weight());
                applied.add(network);
                String note = network.unmatchedNote(spec.file());
                if (note != null) {
                    notes.add(note);
                }
            }
            GenerationSettings stripped = s.toBuilder()
                    .prompts(s.prompts().stream().map(PromptLoras::strip).toList())
                    .negativePrompts(
                            s.negativePrompts().stream().map(PromptLoras::strip).toList())
                    .build();
            ok = true;
            return new Applied(stripped, applied, specs, notes);
        } finally {
            if (!ok) {
                applied.forEach(LoraNetwork::remove);
            }
        }
    }
}
