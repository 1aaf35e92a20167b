package dev.easel.engine.loading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultModelTest {

    @TempDir
    Path cache;

    @AfterEach
    void forgetSettings() {
        System.clearProperty("easel.cache");
        System.clearProperty("easel.default.model");
    }

    @Test
    void theShippedModelIsCopiedOutOnceIntoAFolderNamedByItsContent() throws IOException {
        System.setProperty("easel.cache", cache.toString());
        assertFalse(DefaultModel.isDefaultFolder(Reference.model()));
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(0, entries.count(), "asking whether a folder is the default model copies nothing");
        }
        Path model = DefaultModel.path();
        assertTrue(DefaultModel.isDefaultFolder(model));
        assertEquals(cache, model.getParent());
        assertTrue(model.getFileName().toString().matches("default-model-[0-9a-f]{16}"), model.toString());
        for (String part : List.of(
                "model_index.json",
                "unet/diffusion_pytorch_model.safetensors",
                "vae/diffusion_pytorch_model.safetensors",
                "text_encoder/model.safetensors",
                "tokenizer/vocab.json",
                "tokenizer/merges.txt",
                "scheduler/scheduler_config.json",
                "easel_training.json")) {
            assertTrue(Files.isRegularFile(model.resolve(part)), part);
        }
        FileTime copied = Files.getLastModifiedTime(model.resolve("model_index.json"));
        assertEquals(model, DefaultModel.path());
        assertEquals(copied, Files.getLastModifiedTime(model.resolve("model_index.json")), "not copied again");
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(List.of(model), entries.toList(), "no partial folders left");
        }
    }

    @Test
    void aConfiguredFolderWinsAndABadOneIsOneLine() throws IOException {
        System.setProperty("easel.default.model", Reference.model().toString());
        assertEquals(Reference.model(), DefaultModel.path());
        Path notAModel = Files.createDirectories(cache.resolve("not-a-model"));
        System.setProperty("easel.default.model", notAModel.toString());
        var e = assertThrows(EngineException.class, DefaultModel::path);
        assertEquals(
                "the default model is set to " + notAModel + " (EASEL_DEFAULT_MODEL or easel.default.model),"
                        + " which has no model_index.json; point it at a diffusers folder",
                e.getMessage());
    }

    @Test
    void aDamagedCachedCopyIsRepairedFromTheJarOnFirstUse() throws IOException {
        System.setProperty("easel.cache", cache.toString());
        Path model = DefaultModel.path();
        Path unet = model.resolve("unet/diffusion_pytorch_model.safetensors");
        byte[] good = Files.readAllBytes(unet);
        byte[] damaged = good.clone();
        java.util.Arrays.fill(damaged, 4096, 8192, (byte) 0x55); // 4 KB overwritten, as in the probe
        Files.write(unet, damaged);
        Files.delete(model.resolve("tokenizer/merges.txt"));

        DefaultModel.forgetVerifiedCopies();
        assertEquals(model, DefaultModel.path());
        assertTrue(java.util.Arrays.equals(good, Files.readAllBytes(unet)), "the damaged file is copied out again");
        assertTrue(Files.isRegularFile(model.resolve("tokenizer/merges.txt")), "a missing file is copied out again");
    }
}
