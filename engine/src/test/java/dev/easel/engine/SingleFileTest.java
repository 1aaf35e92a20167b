package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.Configs;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.engine.weights.SafeTensors;
import dev.easel.engine.weights.SingleFileConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single-file (LDM key names) checkpoints: exported from the tiny model, loaded back, same outputs. */
class SingleFileTest {

    @TempDir
    Path tmp;

    static GenerationSettings settings() {
        return GenerationSettings.builder()
                .prompt("a photograph of an astronaut riding a horse")
                .negativePrompt("ugly")
                .steps(4)
                .guidanceScale(7.5)
                .sampler("euler")
                .seed(11)
                .size(32, 32)
                .build();
    }

    @Test
    void ldmSingleFileLoadsToTheSameModel() throws Exception {
        Path file = tmp.resolve("tiny-ldm.safetensors");
        GenerationResult fromFolder;
        try (StableDiffusionPipeline p = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            LdmKeys.export(p.textEncoder(), p.unet(), p.vae(), file);
            fromFolder = p.txt2img(settings());
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            assertTrue(st.contains("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"));
            assertTrue(st.contains("model.diffusion_model.output_blocks.2.1.conv.weight"), "up-sampler of UpBlock2D");
            assertTrue(st.contains("first_stage_model.decoder.up.1.block.0.conv1.weight"));
            assertEquals(
                    4, st.entry("first_stage_model.encoder.mid.attn_1.q.weight").shape().length);
            assertTrue(st.contains("cond_stage_model.transformer.text_model.final_layer_norm.weight"));
            assertFalse(st.keys().stream().anyMatch(k -> k.startsWith("unet.")));
        }
        try (StableDiffusionPipeline p =
                ModelLoader.load(file, LoadOptions.cpu().withConfigDir(Reference.model()))) {
            GenerationResult r = p.txt2img(settings());
            assertArrayEquals(fromFolder.finalLatents().data(), r.finalLatents().data(), 0f);
        }
    }

    @Test
    void architectureIsInferredFromShapes() throws Exception {
        Path file = tmp.resolve("tiny-ldm.safetensors");
        try (StableDiffusionPipeline p = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            LdmKeys.export(p.textEncoder(), p.unet(), p.vae(), file);
        }
        UNet2DConditionModel.Config ref = UNet2DConditionModel.Config.fromJson(
                Configs.read(Reference.model().resolve("unet/config.json")));
        AutoencoderKL.Config vref =
                AutoencoderKL.Config.fromJson(Configs.read(Reference.model().resolve("vae/config.json")));
        ClipTextModel.Config tref =
                ClipTextModel.Config.fromJson(Configs.read(Reference.model().resolve("text_encoder/config.json")));
        try (SafeTensors st = SafeTensors.open(file)) {
            UNet2DConditionModel.Config u = SingleFileConfigs.unet(st);
            assertArrayEquals(ref.blockOutChannels(), u.blockOutChannels());
            assertArrayEquals(ref.downBlockTypes(), u.downBlockTypes());
            assertArrayEquals(ref.upBlockTypes(), u.upBlockTypes());
            assertEquals(ref.layersPerBlock(), u.layersPerBlock());
            assertEquals(ref.crossAttentionDim(), u.crossAttentionDim());
            assertArrayEquals(ref.numAttentionHeads(), u.numAttentionHeads(), "SD 1.x: 8 heads");
            assertEquals(ref.useLinearProjection(), u.useLinearProjection());
            AutoencoderKL.Config v = SingleFileConfigs.vae(st);
            assertArrayEquals(vref.blockOutChannels(), v.blockOutChannels());
            assertEquals(vref.layersPerBlock(), v.layersPerBlock());
            assertEquals(vref.latentChannels(), v.latentChannels());
            ClipTextModel.Config t = SingleFileConfigs.text(st);
            assertEquals(tref.hiddenSize(), t.hiddenSize());
            assertEquals(tref.numHiddenLayers(), t.numHiddenLayers());
            assertEquals(tref.intermediateSize(), t.intermediateSize());
            assertEquals(tref.vocabSize(), t.vocabSize());
        }
        // with the tokenizer next to the file and no config, it loads with the inferred architecture and runs
        copyTree(Reference.model().resolve("tokenizer"), tmp.resolve("tokenizer"));
        try (StableDiffusionPipeline p = ModelLoader.load(file, LoadOptions.cpu())) {
            GenerationResult r = p.txt2img(settings());
            assertEquals(1, r.images().size());
            for (float x : r.finalLatents().data()) {
                assertTrue(Float.isFinite(x));
            }
        }
    }

    @Test
    void aLoneCheckpointUsesTheClipVocabularyInTheJar() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("lone"));
        Path exported = tmp.resolve("tiny-export.safetensors");
        Path file = dir.resolve("clip-vocab.safetensors");
        try (StableDiffusionPipeline p = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            LdmKeys.export(p.textEncoder(), p.unet(), p.vae(), exported);
        }
        String embedding = LdmKeys.TEXT + "text_model.embeddings.token_embedding.weight";
        try (SafeTensors f = SafeTensors.open(exported);
                NDManager m = NDManager.newBaseManager()) {
            java.util.Map<String, NDArray> all = new java.util.LinkedHashMap<>();
            for (String k : f.keys()) {
                all.put(k, f.read(k, m, DataType.FLOAT32));
            }
            all.put(embedding, m.randomNormal(new ai.djl.ndarray.types.Shape(49408, 32)));
            SafeTensors.write(all, java.util.Map.of(), file);
        }
        // no tokenizer/ and no config beside it: the tokenizer comes from the jar
        try (StableDiffusionPipeline p = ModelLoader.load(file, LoadOptions.cpu())) {
            assertArrayEquals(
                    new long[] {49406, 320, 1125, 539, 320, 2368, 49407},
                    p.tokenizer().encodeFull("a photo of a cat"));
            assertTrue(Float.isFinite(p.txt2img(settings()).finalLatents().data()[0]));
        }
        // a text encoder with another vocabulary cannot use it: one line saying what to pass
        Files.move(exported, dir.resolve("tiny-export.safetensors"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                EngineException.class,
                () -> ModelLoader.load(dir.resolve("tiny-export.safetensors"), LoadOptions.cpu()));
        assertTrue(e.getMessage().contains("has 769 tokens, not CLIP's 49408"), e.getMessage());
    }

    @Test
    void fp16VariantAndBf16TensorsLoad() throws Exception {
        Path dir = tmp.resolve("model");
        copyTree(Reference.model(), dir);
        // replace the UNet weights by an fp16 variant file
        Path unet = dir.resolve("unet/diffusion_pytorch_model.safetensors");
        try (NDManager m = NDManager.newBaseManager();
                SafeTensors st = SafeTensors.open(unet)) {
            java.util.Map<String, NDArray> half = new java.util.LinkedHashMap<>();
            for (String k : st.keys()) {
                half.put(k, st.read(k, m, DataType.FLOAT32).toType(DataType.FLOAT16, false));
            }
            SafeTensors.write(half, null, dir.resolve("unet/diffusion_pytorch_model.fp16.safetensors"));
        }
        Files.delete(unet);
        try (StableDiffusionPipeline a = ModelLoader.load(Reference.model(), LoadOptions.cpu());
                StableDiffusionPipeline b = ModelLoader.load(dir, LoadOptions.cpu())) {
            java.util.Map<String, NDArray> pa = a.unet().parameters();
            java.util.Map<String, NDArray> pb = b.unet().parameters();
            assertEquals(pa.keySet(), pb.keySet());
            for (String k : pa.keySet()) {
                assertEquals(DataType.FLOAT32, pb.get(k).getDataType(), k);
                float[] expected = pa.get(k)
                        .toType(DataType.FLOAT16, false)
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray();
                assertArrayEquals(expected, pb.get(k).toFloatArray(), 0f, k);
            }
            assertEquals(1, b.txt2img(settings()).images().size());
        }
    }

    @Test
    void bf16IsWidenedExactly() throws Exception {
        float[] values = {1.5f, -2.25f, 3.1415927f, 1e-3f, 65504f, -0f};
        byte[] header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}".getBytes();
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.allocate(8 + header.length + 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (float v : values) {
            b.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
        Path f = tmp.resolve("bf16.safetensors");
        Files.write(f, b.array());
        try (NDManager m = NDManager.newBaseManager();
                SafeTensors st = SafeTensors.open(f)) {
            float[] got = st.read("w", m, DataType.FLOAT32).toFloatArray();
            for (int i = 0; i < values.length; i++) {
                float expected = Float.intBitsToFloat(Float.floatToIntBits(values[i]) & 0xffff0000);
                assertEquals(expected, got[i], 0f);
            }
        }
    }

    @Test
    void tensorsBeyond2GiBAreRead() throws Exception {
        // a sparse file: a 16-byte tensor placed after 2.2 GB of hole
        long offset = 2_200_000_000L;
        String json = "{\"far\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + offset + "," + (offset + 16)
                + "]},\"near\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] header = json.getBytes();
        Path f = tmp.resolve("big.safetensors");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                f, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer h =
                    java.nio.ByteBuffer.allocate(8 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            h.putLong(header.length).put(header).flip();
            ch.write(h, 0);
            java.nio.ByteBuffer d = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            d.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f).flip();
            ch.write(d, 8 + header.length + offset);
        }
        try (NDManager m = NDManager.newBaseManager();
                SafeTensors st = SafeTensors.open(f)) {
            assertArrayEquals(
                    new float[] {1f, 2f, 3f, 4f},
                    st.read("far", m, DataType.FLOAT32).toFloatArray());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
