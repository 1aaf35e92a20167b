package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.cli.GenerateCommand;
import dev.easel.engine.io.Png;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.weights.OpenClipKeys;
import dev.easel.engine.weights.SafeTensors;
import dev.easel.engine.weights.SingleFileConfigs;
import dev.easel.engine.weights.TensorFile;
import dev.easel.engine.weights.TorchCheckpoint;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lone SD 2.x original single file (text encoder in OpenCLIP's layout) loads with no other file — architecture,
 * tokenizer, prediction type and upcast attention from the file alone — to the model its diffusers folder is, from
 * the Java API and the command line.
 */
class Sd2SingleFileTest {

    @TempDir
    static Path tmp;

    static Path folder;
    static Path file;

    @BeforeAll
    static void writeModel() throws Exception {
        folder = tmp.resolve("tiny-sd2");
        file = Files.createDirectories(tmp.resolve("lone")).resolve("tiny-sd2.safetensors");
        TinySd2.write(folder, file);
    }

    static GenerationSettings settings(String sampler) {
        return GenerationSettings.builder()
                .prompt("a photograph of an astronaut riding a horse")
                .negativePrompt("ugly")
                .steps(3)
                .guidanceScale(7.5)
                .sampler(sampler)
                .seed(11)
                .size(64, 64)
                .build();
    }

    @Test
    void theFileHasOpenClipsLayout() {
        try (SafeTensors f = SafeTensors.open(file)) {
            assertEquals(
                    List.of(192L, 64L),
                    longs(f.shape(OpenClipKeys.PREFIX + "transformer.resblocks.0.attn.in_proj_weight")),
                    "query, key and value stacked");
            assertTrue(
                    f.contains(OpenClipKeys.PREFIX + "transformer.resblocks.2.mlp.c_proj.bias"),
                    "one resblock more than the text encoder uses, as SD 2.x files have");
            assertTrue(f.contains(OpenClipKeys.PREFIX + "text_projection")
                    && f.contains(OpenClipKeys.PREFIX + "logit_scale"));
            assertFalse(f.keys().stream().anyMatch(k -> k.startsWith("cond_stage_model.transformer.")));
        }
    }

    @Test
    void aLoneFileIsTheModelOfItsDiffusersFolder() {
        try (StableDiffusionPipeline fromFolder = ModelLoader.load(folder, LoadOptions.cpu());
                StableDiffusionPipeline fromFile = ModelLoader.load(file, LoadOptions.cpu())) {
            UNet2DConditionModel.Config u = fromFile.unet().config;
            assertArrayEquals(new int[] {1, 1, 2, 2}, u.numAttentionHeads(), "64-channel heads per level");
            assertTrue(u.useLinearProjection());
            assertTrue(u.upcastAttention(), "as diffusers' stabilityai/stable-diffusion-2-1 config");
            assertEquals(96, u.sampleSize(), "a v-model draws at 768");
            assertEquals(4, u.blockOutChannels().length);
            ClipTextModel.Config t = fromFile.textEncoder().config;
            assertEquals(2, t.numHiddenLayers(), "the penultimate of 3 resblocks");
            assertEquals("gelu", t.hiddenAct());
            assertEquals(PredictionType.V_PREDICTION, fromFile.schedulerConfig().predictionType());
            assertEquals(8, fromFile.vaeScaleFactor(), "a 4-level VAE");
            // the jar's CLIP vocabulary, padded with "!" (id 0) as OpenCLIP pads
            long[] ids = fromFile.tokenizer().encode("a photo of a cat");
            assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 2368, 49407}, Arrays.copyOf(ids, 7));
            assertEquals(Set.of(0L), Arrays.stream(ids, 7, 77).boxed().collect(java.util.stream.Collectors.toSet()));
            assertArrayEquals(fromFolder.tokenizer().encode("a photo of a cat"), ids);
            // the split in_proj is the folder's q, k and v
            fromFolder
                    .textEncoder()
                    .parameters()
                    .forEach((name, expected) -> assertArrayEquals(
                            expected.toFloatArray(),
                            fromFile.textEncoder().parameters().get(name).toFloatArray(),
                            0f,
                            name));
            float[] a = fromFolder.txt2img(settings("euler")).finalLatents().data();
            float[] b = fromFile.txt2img(settings("euler")).finalLatents().data();
            assertArrayEquals(a, b, 0f, "bit-equal to the diffusers folder");
        }
    }

    @Test
    void predictionTypeFollowsDiffusersRuleAndTheOverride() throws Exception {
        try (SafeTensors st = SafeTensors.open(file)) {
            assertTrue(SingleFileConfigs.sd2(st));
            assertEquals(
                    PredictionType.V_PREDICTION, SingleFileConfigs.scheduler(st).predictionType());
            TensorFile base = stepped(st, SingleFileConfigs.SD2_BASE_GLOBAL_STEP);
            assertEquals(
                    PredictionType.EPSILON,
                    SingleFileConfigs.scheduler(base).predictionType(),
                    "global_step 875000: SD 2.x-base, ε at 512");
            assertEquals(64, SingleFileConfigs.unet(base).sampleSize());
            assertEquals(
                    PredictionType.V_PREDICTION,
                    SingleFileConfigs.scheduler(stepped(st, 110_000)).predictionType(),
                    "SD 2.1-v");
        }
        // the step a .ckpt records is read (the reference file records 1234)
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(Reference.root().resolve("formats/tiny-sd.ckpt"))) {
            assertEquals(OptionalLong.of(1234), ckpt.globalStep());
            assertEquals(
                    PredictionType.EPSILON, SingleFileConfigs.scheduler(ckpt).predictionType(), "SD 1.x");
        }
        try (StableDiffusionPipeline v = ModelLoader.load(file, LoadOptions.cpu());
                StableDiffusionPipeline eps =
                        ModelLoader.load(file, LoadOptions.cpu().withPredictionType("epsilon"))) {
            assertEquals(PredictionType.EPSILON, eps.schedulerConfig().predictionType());
            // every sampler of the registry is given the prediction type: ε and v give other latents
            for (Samplers.Info info : Samplers.all()) {
                GenerationSettings quick = settings(info.id()).toBuilder()
                        .steps(2)
                        .guidanceScale(1)
                        .size(32, 32)
                        .build();
                float[] asV = v.txt2img(quick).finalLatents().data();
                float[] asEps = eps.txt2img(quick).finalLatents().data();
                assertFalse(Arrays.equals(asV, asEps), info.id() + " ignored the prediction type");
            }
        }
        EngineException e = assertThrows(
                EngineException.class,
                () -> ModelLoader.load(file, LoadOptions.cpu().withPredictionType("noise")));
        assertTrue(e.getMessage().contains("noise") && e.getMessage().contains("v_prediction"), e.getMessage());
    }

    @Test
    void theCommandLineLoadsTheLoneFile() {
        Path fromFolder = tmp.resolve("folder.png");
        Path fromFile = tmp.resolve("file.png");
        Path asEpsilon = tmp.resolve("epsilon.png");
        List<String> common = List.of(
                "--prompt", "a red circle", "--steps", "2", "--seed", "3", "--size", "64x64", "--device", "cpu");
        assertEquals(
                0,
                new GenerateCommand()
                        .run(concat(common, "--model", folder.toString(), "--out", fromFolder.toString())));
        assertEquals(
                0, new GenerateCommand().run(concat(common, "--model", file.toString(), "--out", fromFile.toString())));
        assertEquals(
                0,
                new GenerateCommand()
                        .run(concat(
                                common,
                                "--model",
                                file.toString(),
                                "--prediction-type",
                                "epsilon",
                                "--out",
                                asEpsilon.toString())));
        assertArrayEquals(pixels(fromFolder), pixels(fromFile));
        assertNotEquals(Arrays.hashCode(pixels(fromFile)), Arrays.hashCode(pixels(asEpsilon)));
    }

    /** {@code f} as a checkpoint that records {@code step} as its global_step. */
    private static TensorFile stepped(SafeTensors f, long step) {
        return new TensorFile() {
            @Override
            public Path file() {
                return f.file();
            }

            @Override
            public Set<String> keys() {
                return f.keys();
            }

            @Override
            public boolean contains(String key) {
                return f.contains(key);
            }

            @Override
            public long[] shape(String key) {
                return f.shape(key);
            }

            @Override
            public String dtype(String key) {
                return f.dtype(key);
            }

            @Override
            public NDArray read(String key, NDManager manager, DataType floatType) {
                return f.read(key, manager, floatType);
            }

            @Override
            public OptionalLong globalStep() {
                return OptionalLong.of(step);
            }

            @Override
            public void close() {}
        };
    }

    private static List<Long> longs(long[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    private static int[] pixels(Path png) {
        BufferedImage image = Png.read(png);
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
