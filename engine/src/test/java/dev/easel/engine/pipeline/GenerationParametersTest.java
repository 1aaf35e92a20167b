package dev.easel.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationParametersTest {

    @Test
    void writesTheA1111Format() {
        GenerationParameters p = new GenerationParameters("a red circle", "blurry", 20, "Euler a", 7.0, 42, 512, 512,
                "tiny-sd", Map.of());
        assertEquals("a red circle\nNegative prompt: blurry\n"
                + "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: tiny-sd", p.toA1111());
        GenerationParameters noNegative = new GenerationParameters("x", "", 4, "DDIM", 7.5, 1, 64, 32, "m", Map.of())
                .with("Denoising strength", 0.75);
        assertEquals("x\nSteps: 4, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 64x32, Model: m, Denoising strength: 0.75",
                noNegative.toA1111());
    }

    @Test
    void readsItBackIncludingMultiLinePromptsAndQuotedValues() {
        GenerationParameters p = new GenerationParameters("line one,\nline (two:1.2)", "bad, ugly\nworse", 30,
                "DPM++ 2M", 5.5, 1234567890123L, 768, 512, "my, model", Map.of("Clip skip", "2"));
        assertEquals(p, GenerationParameters.parse(p.toA1111()));
    }

    @Test
    void readsA1111OutputWithFieldsItDoesNotKnow() {
        String a1111 = "masterpiece, a cat\nNegative prompt: lowres\nSteps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7, "
                + "Seed: 3, Size: 512x768, Model hash: abc123, Model: v1-5, Version: v1.7.0";
        GenerationParameters p = GenerationParameters.parse(a1111);
        assertEquals("masterpiece, a cat", p.prompt());
        assertEquals("lowres", p.negativePrompt());
        assertEquals(25, p.steps());
        assertEquals("DPM++ 2M Karras", p.sampler());
        assertEquals(768, p.height());
        assertEquals("v1-5", p.model());
        assertEquals(Map.of("Model hash", "abc123", "Version", "v1.7.0"), p.extra());
    }

    @Test
    void theSettingsOfABatchEntryBecomeItsParametersWithCommasQuoted() {
        GenerationSettings s = GenerationSettings.builder().prompts(java.util.List.of("a cat", "a dog"))
                .negativePrompts(java.util.List.of("", "blurry")).imagesPerPrompt(2).steps(4).guidanceScale(5)
                .sampler("euler").seed(9).size(64, 32).clipSkip(1).build();
        GenerationParameters p = GenerationParameters.of(s, 3, "my, model").withLoras(java.util.List.of(
                new dev.easel.engine.lora.LoraSpec(java.nio.file.Path.of("x", "dog.safetensors"), 0.8)));
        assertEquals("a dog\nNegative prompt: blurry\nSteps: 4, Sampler: Euler, CFG scale: 5, Seed: 9, Size: 64x32,"
                + " Model: \"my, model\", Clip skip: 2, Batch size: 4, Batch pos: 3, LoRA: \"dog.safetensors:0.8\"",
                p.toA1111());
        assertEquals(p, GenerationParameters.parse(p.toA1111()));
    }
}
