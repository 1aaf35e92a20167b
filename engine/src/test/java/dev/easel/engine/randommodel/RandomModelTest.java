package dev.easel.engine.randommodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.tokenizer.ClipTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real architectures make-random-model writes: parameter counts of the published models, tokenizer, fp16. */
class RandomModelTest {

    @TempDir
    Path tmp;

    private static long count(java.util.function.Function<Init, ? extends dev.easel.engine.nn.Module> make) {
        try (NDManager m = NDManager.newBaseManager()) {
            return make.apply(Init.empty(m)).parameterCount();
        }
    }

    @Test
    void sd15HasTheParameterCountsOfTheReleasedModel() {
        Architecture a = Architecture.SD15;
        assertEquals(859_520_964L, count(i -> new UNet2DConditionModel(i, a.unet())));
        assertEquals(83_653_863L, count(i -> new AutoencoderKL(i, a.vae())));
        assertEquals(123_060_480L, count(i -> new ClipTextModel(i, a.textEncoder())));
        UNet2DConditionModel.Config u = a.unet();
        assertArrayEquals(new int[] {320, 640, 1280, 1280}, u.blockOutChannels());
        assertArrayEquals(new int[] {8, 8, 8, 8}, u.numAttentionHeads());
        assertEquals(768, u.crossAttentionDim());
        assertEquals(49408, a.textEncoder().vocabSize());
        assertEquals(12, a.textEncoder().numHiddenLayers());
    }

    @Test
    void sd21IsTheVPredictionOpenClipArchitecture() throws Exception {
        Architecture a = Architecture.SD21;
        assertEquals(865_910_724L, count(i -> new UNet2DConditionModel(i, a.unet())));
        UNet2DConditionModel.Config u = a.unet();
        assertArrayEquals(new int[] {5, 10, 20, 20}, u.numAttentionHeads());
        assertEquals(1024, u.crossAttentionDim());
        assertTrue(u.useLinearProjection());
        assertTrue(u.upcastAttention());
        ClipTextModel.Config t = a.textEncoder();
        assertEquals(23, t.numHiddenLayers());
        assertEquals(1024, t.hiddenSize());
        assertEquals("gelu", t.hiddenAct());
        SchedulerConfig s = SchedulerConfig.fromJson(new ObjectMapper().readTree(a.configBytes("scheduler")));
        assertEquals(dev.easel.engine.samplers.PredictionType.V_PREDICTION, s.predictionType());
    }

    @Test
    void tokenizerHasTheTextEncodersVocabularyAndPadToken() throws Exception {
        for (Architecture a : Architecture.values()) {
            Path dir = tmp.resolve(a.id());
            new RandomModelWriter(a, DataType.FLOAT16, 0).writeTokenizer(dir);
            ClipTokenizer tok = ClipTokenizer.load(dir);
            long[] ids = tok.encode("a photograph of an astronaut riding a horse");
            assertEquals(77, ids.length);
            for (long id : ids) {
                assertTrue(id >= 0 && id < a.textEncoder().vocabSize(), "id " + id);
            }
            assertEquals(49406, ids[0], "start token is CLIP's id");
            assertEquals(a == Architecture.SD21 ? 0 : 49407, tok.padId(), a.id() + " pads with " + a.padToken());
            assertEquals(
                    a.textEncoder().vocabSize(),
                    new ObjectMapper()
                            .readTree(dir.resolve("vocab.json").toFile())
                            .size());
        }
    }

    @Test
    void sd21SingleFileTextEncoderHasOpenClipsLayout() {
        ClipTextModel.Config t = Architecture.SD21.textEncoder();
        java.util.List<dev.easel.engine.weights.OpenClipKeys.Packed> layout =
                dev.easel.engine.weights.OpenClipKeys.layout(t);
        java.util.Map<String, long[]> shapes = new java.util.HashMap<>();
        long used = 0;
        for (var p : layout) {
            shapes.put(p.key().substring("cond_stage_model.model.".length()), p.shape());
            if (p.used()) {
                used += java.util.Arrays.stream(p.shape()).reduce(1, Math::multiplyExact);
            }
        }
        assertTrue(shapes.containsKey("transformer.resblocks.23.attn.in_proj_weight"), "24 resblocks");
        assertTrue(!shapes.containsKey("transformer.resblocks.24.attn.in_proj_weight"));
        assertArrayEquals(new long[] {3072, 1024}, shapes.get("transformer.resblocks.0.attn.in_proj_weight"));
        assertArrayEquals(new long[] {3072}, shapes.get("transformer.resblocks.0.attn.in_proj_bias"));
        assertArrayEquals(new long[] {4096, 1024}, shapes.get("transformer.resblocks.5.mlp.c_fc.weight"));
        assertArrayEquals(new long[] {77, 1024}, shapes.get("positional_embedding"));
        assertArrayEquals(new long[] {49408, 1024}, shapes.get("token_embedding.weight"));
        assertArrayEquals(new long[] {1024, 1024}, shapes.get("text_projection"));
        assertArrayEquals(new long[0], shapes.get("logit_scale"));
        assertEquals(count(i -> new ClipTextModel(i, t)), used, "what SD reads is exactly the 23-layer text encoder");
    }

    @Test
    void halfConversionRoundsLikeLibtorch() {
        float[] values = {
            0f,
            -0f,
            1f,
            -2.5f,
            65504f,
            70000f,
            1e-8f,
            6.1e-5f,
            3e-6f,
            0.1f,
            0.33333334f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            1.00048828125f,
            1.0009765625f + 0.00048828125f
        };
        try (NDManager m = NDManager.newBaseManager()) {
            float[] torch = m.create(values, new Shape(values.length))
                    .toType(DataType.FLOAT16, false)
                    .toType(DataType.FLOAT32, false)
                    .toFloatArray();
            short[] bits = new short[values.length];
            for (int i = 0; i < values.length; i++) {
                bits[i] = (short) Half.fromFloat(values[i]);
            }
            java.nio.ByteBuffer b =
                    java.nio.ByteBuffer.allocateDirect(values.length * 2).order(java.nio.ByteOrder.nativeOrder());
            for (short s : bits) {
                b.putShort(s);
            }
            b.rewind();
            float[] ours = m.create(b, new Shape(values.length), DataType.FLOAT16)
                    .toType(DataType.FLOAT32, false)
                    .toFloatArray();
            assertArrayEquals(torch, ours, 0f);
        }
    }
}
