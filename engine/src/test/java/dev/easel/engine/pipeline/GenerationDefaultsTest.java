package dev.easel.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.DefaultModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationDefaultsTest {

    @TempDir
    Path folder;

    @Test
    void theStandardDefaultsAreA1111sAndTheEngineBuilderUsesThem() {
        assertEquals(new GenerationDefaults(20, 7.0, "euler_a", 0.75), GenerationDefaults.STANDARD);
        GenerationSettings s = GenerationSettings.builder().prompt("x").build();
        assertEquals(20, s.steps());
        assertEquals(7.0, s.guidanceScale());
        assertEquals("euler_a", s.sampler());
    }

    @Test
    void theDefaultModelRecommendsTheSettingsItWasEvaluatedAt() {
        GenerationDefaults d = GenerationDefaults.forModel(DefaultModel.path());
        assertEquals(5.0, d.guidanceScale());
        assertEquals("euler", d.sampler());
        assertEquals(20, d.steps());
        assertEquals(
                GenerationDefaults.STANDARD, GenerationDefaults.forModel(Reference.model()), "tiny-sd says nothing");
    }

    @Test
    void aRecommendationIsRecordedInModelIndexAndReadBack() throws IOException {
        Files.copy(Reference.model().resolve("model_index.json"), folder.resolve("model_index.json"));
        new GenerationDefaults(30, 4.5, "ddim", 0.6).recordIn(folder);
        assertEquals(new GenerationDefaults(30, 4.5, "ddim", 0.6), GenerationDefaults.forModel(folder));
        assertTrue(
                Files.readString(folder.resolve("model_index.json")).contains("\"_class_name\""), "the rest is kept");
        GenerationDefaults.STANDARD.recordIn(folder);
        assertEquals(GenerationDefaults.STANDARD, GenerationDefaults.forModel(folder));
    }

    @Test
    void aMalformedRecommendationIsOneLineNamingFileAndKey() throws IOException {
        Files.writeString(
                folder.resolve("model_index.json"),
                "{\"_class_name\": \"StableDiffusionPipeline\", \"_easel_generation_defaults\": {\"guidance_scale\": \"high\"}}");
        Files.createDirectories(folder.resolve("unet"));
        EngineException e = assertThrows(EngineException.class, () -> GenerationDefaults.forModel(folder));
        assertEquals(
                folder.resolve("model_index.json") + ": _easel_generation_defaults.guidance_scale must be a number"
                        + " from 0.0 to 100.0, got \"high\"",
                e.getMessage());
    }

    @Test
    void minusOneIsARandomSeedThatTheSettingsThenHold() {
        long a = GenerationSettings.builder().prompt("x").seed(-1).build().seed();
        long b = GenerationSettings.builder().prompt("x").seed(-1).build().seed();
        assertTrue(a >= 0 && b >= 0);
        assertNotEquals(a, b, "two draws of 2^32 seeds coincide once in four billion");
        assertThrows(
                EngineException.class,
                () -> GenerationSettings.builder().prompt("x").seed(-5).build().validate());
    }
}
