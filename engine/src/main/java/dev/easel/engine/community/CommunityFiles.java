package dev.easel.engine.community;

import dev.easel.engine.loading.VaeFiles;
import dev.easel.engine.embeddings.EmbeddingSpec;
import dev.easel.engine.lora.LoraNetwork;
import dev.easel.engine.lora.LoraSpec;
import dev.easel.engine.lora.PromptLoras;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The community files of one generation on a pipeline, as A1111 applies them: a replacement VAE, embeddings given
 * and those of the embeddings folder the prompts name, LoRAs given and those the prompts' {@code <lora:…>} tags
 * name (the tags then taken out of the prompts).
 */
public final class CommunityFiles {

    /**
     * @param settings the settings to generate with: prompts without LoRA tags
     * @param loras the LoRAs put on the pipeline, to {@link LoraNetwork#remove} afterwards
     * @param notes lines for the user (keys of a LoRA that matched no layer, embeddings loaded from the folder)
     */
    public record Applied(GenerationSettings settings, List<LoraNetwork> loras, List<String> notes) {
    }

    private CommunityFiles() {
    }

    /** Applies everything or nothing: on an error the LoRAs already put on come off again. */
    public static Applied apply(StableDiffusionPipeline pipe, Path model, GenerationSettings s, List<LoraSpec> loras,
                                List<EmbeddingSpec> embeddings, Path vae, Path loraDir, Path embeddingsDir) {
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
                specs.addAll(PromptLoras.find(s.prompts(), PromptLoras.folder(loraDir, model)));
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
                    .negativePrompts(s.negativePrompts().stream().map(PromptLoras::strip).toList()).build();
            ok = true;
            return new Applied(stripped, applied, notes);
        } finally {
            if (!ok) {
                applied.forEach(LoraNetwork::remove);
            }
        }
    }
}
