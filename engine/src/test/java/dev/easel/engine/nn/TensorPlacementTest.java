package dev.easel.engine.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.Reference;
import dev.easel.engine.dreambooth.DreamBoothSettings;
import dev.easel.engine.dreambooth.DreamBoothTrainer;
import dev.easel.engine.dreambooth.SubjectImages;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every tensor a generation step or a training step holds is on the model's device. On this CPU machine the model
 * is on the CPU, so each test also asks for another device and must then see the step's own arrays listed: that
 * proves the walk reaches them, and on a GPU machine the same check (gpu/probe's speed stage) finds a stray CPU
 * tensor.
 */
class TensorPlacementTest {

    @TempDir
    Path folder;

    @Test
    void everyTensorOfAGenerationStepIsOnTheModelsDevice() {
        try (StableDiffusionPipeline pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            List<String> off = new ArrayList<>();
            List<Boolean> stepArraysFound = new ArrayList<>();
            List<Integer> listedForAnotherDevice = new ArrayList<>();
            GenerationSettings s = GenerationSettings.builder()
                    .prompt("a red circle")
                    .negativePrompt("blurry")
                    .steps(2)
                    .guidanceScale(5)
                    .sampler("euler")
                    .seed(3)
                    .size(32, 32)
                    .build();
            pipe.txt2img(
                    s,
                    step -> {
                        List<NDArray> live = TensorPlacement.liveArrays();
                        stepArraysFound.add(contains(live, step.modelInput())
                                && contains(live, step.modelOutput())
                                && contains(live, step.latents()));
                        off.addAll(TensorPlacement.misplaced(pipe.device(), 10));
                        listedForAnotherDevice.add(TensorPlacement.misplaced(Device.gpu(), Integer.MAX_VALUE)
                                .size());
                    },
                    null);
            assertEquals(
                    List.of(true, true),
                    stepArraysFound,
                    "the walk reaches the step's UNet input, output and" + " latents");
            assertEquals(List.of(), off, "arrays off the model's device mid-step");
            int weights = pipe.unet().parameters().size()
                    + pipe.textEncoder().parameters().size()
                    + pipe.vae().parameters().size();
            assertTrue(
                    listedForAnotherDevice.get(0) > weights,
                    "asked for gpu(0), every weight and the step's" + " arrays are listed: " + listedForAnotherDevice
                            + " for " + weights + " weights");
        }
    }

    @Test
    void everyTensorOfAMixedPrecisionTrainingStepIsOnTheModelsDevice() throws Exception {
        Path instances = SubjectImages.write(folder.resolve("instances"), 5, 2);
        List<String> off = new ArrayList<>();
        List<Boolean> gradientsFound = new ArrayList<>();
        List<DataType> gradientTypes = new ArrayList<>();
        DreamBoothTrainer.Listener listener = new DreamBoothTrainer.Listener() {
            @Override
            public void onGradients(long step, Map<String, NDArray> clipped, double normBeforeClip) {
                List<NDArray> live = TensorPlacement.liveArrays();
                gradientsFound.add(clipped.values().stream().allMatch(g -> contains(live, g)));
                clipped.values().forEach(g -> gradientTypes.add(g.getDataType()));
                off.addAll(TensorPlacement.misplaced(Device.cpu(), 10));
            }
        };
        DreamBoothSettings settings = DreamBoothSettings.builder(instances, "a photo of sks shape")
                .learningRate(1e-4)
                .maxTrainSteps(2)
                .lora(4, 4)
                .mixedPrecision("fp16")
                .checkpoints(100, 1)
                .outputDir(folder.resolve("out"))
                .build();
        DreamBoothTrainer.Run run =
                new DreamBoothTrainer(Reference.model(), LoadOptions.cpu(), settings, listener, null).train(null);
        run.pipeline().close();
        assertEquals(List.of(true, true), gradientsFound, "the walk reaches every LoRA gradient");
        assertFalse(gradientTypes.isEmpty());
        assertTrue(gradientTypes.stream().allMatch(t -> t == DataType.FLOAT32), "master gradients are float32");
        assertEquals(List.of(), off, "arrays off the model's device mid-step");
    }

    private static boolean contains(List<NDArray> arrays, NDArray wanted) {
        return arrays.stream().anyMatch(a -> a == wanted);
    }
}
