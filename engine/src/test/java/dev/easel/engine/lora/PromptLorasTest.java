package dev.easel.engine.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.EngineException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptLorasTest {

    @TempDir
    Path dir;

    @Test
    void tagsAreResolvedInTheFolderAndLeaveTheText() throws Exception {
        Files.createDirectories(dir.resolve("styles"));
        Files.writeString(dir.resolve("pixel.safetensors"), "x");
        Files.writeString(dir.resolve("styles/ink.safetensors"), "x");
        String prompt = "a castle <lora:pixel:0.8>, <lora:ink> at night";
        assertEquals("a castle, at night", PromptLoras.strip(prompt));
        assertEquals(
                List.of(
                        new LoraSpec(dir.resolve("pixel.safetensors"), 0.8),
                        new LoraSpec(dir.resolve("styles/ink.safetensors"), 1.0)),
                PromptLoras.find(List.of(prompt), dir));
        assertEquals("a cat", PromptLoras.strip("a cat"));

        var e = assertThrows(EngineException.class, () -> PromptLoras.find(List.of("<lora:nothere:1>"), dir));
        assertTrue(e.getMessage().startsWith("<lora:nothere>: no nothere.safetensors in "), e.getMessage());
        e = assertThrows(EngineException.class, () -> PromptLoras.find(List.of("<lora:pixel:strong>"), dir));
        assertTrue(e.getMessage().contains("the weight 'strong' is not a number"), e.getMessage());
        assertEquals(dir, PromptLoras.folder(dir, Path.of("/models/x.safetensors")));
    }
}
