package dev.easel.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationParametersTest {

    @Test
    void writesTheA1111Format() {
        GenerationParameters p = new GenerationParameters(
                "a red circle", "blurry", 20, "Euler a", 7.0, 42, 512, 512, "tiny-sd", Map.of());
        assertEquals(
                "a red circle\nNegative prompt: blurry\n"
                        + "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: tiny-sd",
                p.toA1111());
        GenerationParameters noNegative = new GenerationParameters("x", "", 4, "DDIM", 7.5, 1, 64, 32, "m", Map.of())
                .with("Denoising strength", 0.75);
        assertEquals(
                "x\nSteps: 4, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 64x32, Model: m, Denoising strength: 0.75",
                noNegative.toA1111());
    }

    @Test
    void readsItBackIncludingMultiLinePromptsAndQuotedValues() {
        GenerationParameters p = new GenerationParameters(
                "line one,\nline (two:1.2)",
                "bad, ugly\nworse",
                30,
                "DPM++ 2M",
                5.5,
                1234567890123L,
                768,
                512,
                "my, model",
                Map.of("Clip skip", "2"));
        assertEquals(p, GenerationParameters.parse(p.toA1111()));
    }

    @Test
    void readsA1111OutputWithFieldsItDoesNotKnow() {
        String a1111 =
                "masterpiece, a cat\nNegative prompt: lowres\nSteps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7, "
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
        GenerationSettings s = GenerationSettings.builder()
                .prompts(java.util.List.of("a cat", "a dog"))
                .negativePrompts(java.util.List.of("", "blurry"))
                .imagesPerPrompt(2)
                .steps(4)
                .guidanceScale(5)
                .sampler("euler")
                .seed(9)
                .size(64, 32)
                .clipSkip(1)
                .build();
        GenerationParameters p = GenerationParameters.of(s, 3, "my, model")
                .withLoras(java.util.List.of(
                        new dev.easel.engine.lora.LoraSpec(java.nio.file.Path.of("x", "dog.safetensors"), 0.8)));
        // a LoRA file that is not there (any more) is named by its tag, without a hash
        assertEquals(
                "a dog <lora:dog:0.8>\nNegative prompt: blurry\nSteps: 4, Sampler: Euler, CFG scale: 5, Seed: 9,"
                        + " Size: 64x32, Model: \"my, model\", Clip skip: 2, Batch size: 4, Batch pos: 3",
                p.toA1111());
        assertEquals(p, GenerationParameters.parse(p.toA1111()));
    }

    @Test
    void easelsOwnParametersComeBackAsTheSameSettings() {
        GenerationSettings s = GenerationSettings.builder()
                .prompt("a (red:1.2) circle, [blue|green]")
                .negativePrompt("blurry")
                .steps(6)
                .guidanceScale(5.5)
                .sampler("DPM++ 2M SDE Karras")
                .seed(77)
                .size(48, 32)
                .clipSkip(1)
                .eta(0.25)
                .spacing("trailing")
                .plainPrompt(true)
                .variation(9, 0.3)
                .hires(HiresFix.byScale(HiresFix.Upscaler.LANCZOS, 1.5, 2, 0.6))
                .build();
        String text = GenerationParameters.of(s, 0, "tiny-sd").toA1111();
        assertEquals(
                "a (red:1.2) circle, [blue|green]\nNegative prompt: blurry\nSteps: 6, Sampler: DPM++ 2M SDE,"
                        + " Schedule type: Karras, CFG scale: 5.5, Seed: 77, Size: 48x32, Model: tiny-sd, Variation seed: 9,"
                        + " Variation seed strength: 0.3, Denoising strength: 0.6, Clip skip: 2, Hires upscale: 1.5,"
                        + " Hires steps: 2, Hires upscaler: Lanczos, Plain prompt: True, Eta: 0.25, Timestep spacing: trailing",
                text);
        GenerationParameters.Recipe r = GenerationParameters.parse(text).recipe();
        assertEquals(java.util.List.of(), r.unused());
        assertEquals(null, r.img2imgStrength());
        assertEquals("tiny-sd", r.model());
        GenerationSettings back = r.settings();
        assertEquals(s.toBuilder().sampler("dpmpp_2m_sde").schedule("karras").build(), back);
        assertEquals(text, GenerationParameters.of(back, 0, "tiny-sd").toA1111(), "ours → text → ours → same text");
    }

    @Test
    void anA1111TextReRunsAndNamesEachFieldEaselLacksInOneLine() {
        String a1111 = "masterpiece, (a cat:1.2) <lora:catstyle:0.7>\nNegative prompt: lowres, bad hands\nSteps: 25,"
                + " Sampler: Restart, Schedule type: Align Your Steps, CFG scale: 6.5, Seed: 3, Face restoration:"
                + " CodeFormer, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength:"
                + " 0.45, Clip skip: 2, Hires upscale: 2, Hires steps: 10, Hires upscaler: R-ESRGAN 4x+, ADetailer model:"
                + " face_yolov8n.pt, ADetailer confidence: 0.3, Lora hashes: \"catstyle: abcdef123456\","
                + " TI hashes: \"EasyNegative: c74b4e810b03\", Version: v1.10.1";
        GenerationParameters.Recipe r = GenerationParameters.parse(a1111).recipe();
        assertEquals(
                java.util.List.of(
                        "Sampler: Restart — Easel has no such sampler; euler_a is used (choose one with --sampler)",
                        "Schedule type: Align Your Steps — Easel has Automatic, Karras and Exponential; Automatic is used",
                        "Hires upscaler: R-ESRGAN 4x+ — Easel has Latent, Latent (nearest) and Lanczos; Latent is used",
                        "Face restoration: CodeFormer — Easel has no such setting; left out",
                        "ADetailer model: face_yolov8n.pt — Easel has no such setting; left out",
                        "ADetailer confidence: 0.3 — Easel has no such setting; left out"),
                r.unused());
        assertEquals("v1-5-pruned-emaonly", r.model());
        assertEquals("6ce0161689", r.modelHash());
        GenerationSettings s = r.settings();
        assertEquals("masterpiece, (a cat:1.2) <lora:catstyle:0.7>", s.prompts().get(0), "LoRA tags stay");
        assertEquals(java.util.List.of("lowres, bad hands"), s.negativePrompts());
        assertEquals(25, s.steps());
        assertEquals(6.5, s.guidanceScale());
        assertEquals(3, s.seed());
        assertEquals(512, s.width());
        assertEquals(768, s.height());
        assertEquals(1, s.clipSkip(), "A1111's Clip skip 2 is diffusers' 1");
        assertEquals(HiresFix.byScale(HiresFix.Upscaler.LATENT, 2, 10, 0.45), s.hires());
        // without hires fields, a denoising strength is an img2img's
        r = GenerationParameters.parse("a cat\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1,"
                        + " Size: 64x64, Denoising strength: 0.6, Mask blur: 4")
                .recipe();
        assertEquals(0.6, r.img2imgStrength());
        assertEquals(null, r.settings().hires());
        assertEquals("dpmpp_2m_karras", r.settings().sampler());
        assertEquals(java.util.List.of("Mask blur: 4 — Easel has no such setting; left out"), r.unused());
    }

    @Test
    void malformedParametersAreOneLineErrorsNamingTheField() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.easel.engine.EngineException.class,
                () -> GenerationParameters.parse("a cat\nSteps: many, Sampler: Euler, Seed: 1, Size: 64x64"));
        assertEquals("the parameters' Steps is 'many', not a whole number (e.g. Steps: 20)", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.easel.engine.EngineException.class,
                () -> GenerationParameters.parse("a cat\nSteps: 20, Size: big"));
        assertEquals("the parameters' Size is 'big', not WIDTHxHEIGHT (e.g. Size: 512x512)", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.easel.engine.EngineException.class,
                () -> GenerationParameters.parse("a cat\nSteps: 20, Size: 64x64, Clip skip: two")
                        .recipe());
        assertEquals("the parameters' Clip skip is 'two', not a whole number (e.g. Clip skip: 20)", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.easel.engine.EngineException.class,
                () -> GenerationParameters.parse("just a prompt, no settings").recipe());
        assertTrue(e.getMessage().startsWith("the parameters have no settings line"), e.getMessage());
    }

    @Test
    void hashesAreA1111s(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // A1111's "Model hash": the first 10 hex digits of the checkpoint file's SHA-256 (sha256sum of tiny-sd.ckpt)
        java.nio.file.Path ckpt = dev.easel.engine.Reference.root().resolve("formats/tiny-sd.ckpt");
        assertEquals("4cff1d11da", ModelHash.shortHash(ckpt));
        GenerationParameters p = new GenerationParameters("x", "", 4, "Euler", 7, 1, 64, 64, "tiny-sd", Map.of());
        assertTrue(p.withModelHash(ckpt).toA1111().endsWith("Size: 64x64, Model hash: 4cff1d11da, Model: tiny-sd"));
        assertEquals(p, p.withModelHash(dev.easel.engine.Reference.model()), "a diffusers folder has no hash");
        // a .safetensors LoRA: SHA-256 of what follows the header, so editing its metadata keeps the hash
        byte[] header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes();
        byte[] data = {1, 2, 3, 4};
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(8 + header.length + data.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .put(header)
                .put(data);
        java.nio.file.Path lora = java.nio.file.Files.write(dir.resolve("cat, style.safetensors"), file.array());
        String expected = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data))
                .substring(0, 12);
        assertEquals(expected, ModelHash.loraHash(lora));
        String text = p.withLoras(java.util.List.of(new dev.easel.engine.lora.LoraSpec(lora, 0.5)))
                .toA1111();
        assertEquals(
                "x <lora:cat, style:0.5>\nSteps: 4, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 64x64,"
                        + " Model: tiny-sd, Lora hashes: \"cat style: " + expected + "\"",
                text);
    }
}
