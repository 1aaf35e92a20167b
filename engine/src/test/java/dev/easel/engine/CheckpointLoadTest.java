package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.easel.engine.cli.GenerateCommand;
import dev.easel.engine.io.Npy;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.LdmKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code .ckpt} checkpoints load as a model, through the API and {@code txt2img}, like the same weights' .safetensors. */
class CheckpointLoadTest {

    @TempDir
    Path tmp;

    private static Path ckpt() {
        return Reference.root().resolve("formats/tiny-sd.ckpt");
    }

    @Test
    void ckptWithTheFolderAsConfigGivesExactlyTheFoldersOutput() {
        GenerationResult folder;
        try (StableDiffusionPipeline p = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            folder = p.txt2img(SingleFileTest.settings());
        }
        try (StableDiffusionPipeline p =
                ModelLoader.load(ckpt(), LoadOptions.cpu().withConfigDir(Reference.model()))) {
            assertArrayEquals(
                    folder.finalLatents().data(),
                    p.txt2img(SingleFileTest.settings()).finalLatents().data(),
                    0f);
        }
    }

    @Test
    void txt2imgOnTheCkptEqualsTxt2imgOnTheSafetensorsOfTheSameWeights() throws Exception {
        // both files side by side with the tokenizer, no config: the architecture is inferred from shapes for both
        Path ck = Files.copy(ckpt(), tmp.resolve("tiny-sd.ckpt"));
        Path st = tmp.resolve("tiny-sd.safetensors");
        try (StableDiffusionPipeline p = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            LdmKeys.export(p.textEncoder(), p.unet(), p.vae(), st);
        }
        SingleFileTest.copyTree(Reference.model().resolve("tokenizer"), tmp.resolve("tokenizer"));
        float[][] latents = new float[2][];
        int i = 0;
        for (Path model : List.of(ck, st)) {
            Path saved = tmp.resolve("latents-" + i + ".npy");
            assertEquals(
                    0,
                    new GenerateCommand()
                            .run(List.of(
                                    "--model",
                                    model.toString(),
                                    "--prompt",
                                    "a red circle",
                                    "--steps",
                                    "3",
                                    "--seed",
                                    "7",
                                    "--width",
                                    "32",
                                    "--height",
                                    "32",
                                    "--save-latents",
                                    saved.toString(),
                                    "--out",
                                    tmp.resolve("out-" + i + ".png").toString())));
            try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
                latents[i] = Npy.read(saved, m).toFloatArray();
            }
            i++;
        }
        assertArrayEquals(latents[1], latents[0], 0f);
    }
}
