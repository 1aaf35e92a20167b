package dev.easel.engine.dreambooth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.GradientCheckpointing;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.torch.Randomness;
import dev.easel.engine.train.TrainingLoop;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradient checkpointing recomputes the UNet's blocks in the backward pass; the gradients, and so the trained weights,
 * must be those of the plain backward pass (up to the order of float sums), on the real tiny reference model.
 */
class GradientCheckpointingTest {

    /** Relative difference allowed, ‖a − b‖ / ‖a‖ over all gradients (float32 sums in another order: ~2e-7). */
    private static final double RELATIVE = 1e-6;

    @TempDir
    Path folder;

    @Test
    void unetGradientsEqualThePlainBackwardPass() {
        try (StableDiffusionPipeline pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
                NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = pipe.unet();
            NDArray sample;
            NDArray contextValues;
            NDArray target;
            try (Randomness.Held generator = Randomness.seeded(7)) {
                sample = manager.randomNormal(new Shape(2, 4, 16, 16));
                contextValues = manager.randomNormal(new Shape(2, 77, 32));
                target = manager.randomNormal(new Shape(2, 4, 16, 16));
            }
            unet.parameters().values().forEach(p -> p.setRequiresGradient(true));
            try {
                Map<String, float[]> plain = gradients(unet, manager, sample, contextValues, target, false, 0);
                Map<String, float[]> recomputed = gradients(unet, manager, sample, contextValues, target, true, 5);
                assertEquals(plain.keySet(), recomputed.keySet());
                assertClose("UNet gradients", plain, recomputed, RELATIVE);
                assertTrue(norm(plain.get("context")) > 0, "the text embeddings got a gradient through every block");
            } finally {
                unet.parameters().values().forEach(p -> p.setRequiresGradient(false));
            }
        }
    }

    /**
     * One forward and backward pass: every UNet parameter's gradient and the text embeddings' (an input that every
     * block uses and no block produces), with {@code expectedSegments} checkpointed blocks (2 down, mid, 2 up).
     */
    private static Map<String, float[]> gradients(
            UNet2DConditionModel unet,
            NDManager manager,
            NDArray sample,
            NDArray contextValues,
            NDArray target,
            boolean checkpointing,
            int expectedSegments) {
        Map<String, float[]> out = new LinkedHashMap<>();
        boolean gradMode = LibTorch.gradMode();
        try (NDManager scope = manager.newSubManager();
                GradientCheckpointing checkpoints = GradientCheckpointing.begin(scope, checkpointing)) {
            LibTorch.setGradMode(true);
            NDArray contextLeaf = contextValues.duplicate();
            contextLeaf.attach(scope);
            contextLeaf.setRequiresGradient(true);
            NDArray context = contextLeaf.mul(1.5f); // not a leaf: its gradient must flow back through a graph
            NDArray prediction = unet.forward(scope, sample, new double[] {10, 500}, context, null);
            NDArray loss = prediction.sub(target).square().mean();
            assertEquals(expectedSegments, checkpoints.segmentCount());
            checkpoints.backward(loss);
            LibTorch.setGradMode(false);
            out.put("context", LibTorch.gradient(contextLeaf, scope).toFloatArray());
            unet.parameters().forEach((name, p) -> {
                NDArray g = LibTorch.gradient(p, scope);
                out.put(name, g == null ? new float[0] : g.toFloatArray());
                LibTorch.zeroGrad(p);
            });
        } finally {
            LibTorch.setGradMode(gradMode);
        }
        return out;
    }

    /**
     * Three DreamBooth steps with and without checkpointing, for LoRA (UNet and text encoder adapters) and for a full
     * fine-tune of both (the text embeddings' gradient crosses every block). Step 1 runs the same weights on the same
     * batch: its loss is identical and its gradients equal to float rounding. After it, AdamW's division by √v
     * turns the float noise of gradients that are zero in theory (a bias right before a GroupNorm, attention key
     * biases) into moves of up to lr·|noise|/(|noise| + ε); so later gradients and the full fine-tune's weights are
     * held to 1e-4 (measured: 1.3e-5 and 5.7e-5), the LoRA weights (no such biases) to 1e-6 (measured: 5e-8).
     */
    @Test
    void dreamBoothLoraAndFullFineTuningTrainTheSameWeights() throws Exception {
        Path instances = SubjectImages.write(folder.resolve("instances"), 9, 3);
        for (String kind : List.of("lora", "full")) {
            Map<String, float[]> plainWeights = null;
            List<Double> plainLosses = null;
            List<Map<String, float[]>> plainGradients = null;
            for (boolean checkpointing : new boolean[] {false, true}) {
                List<Map<String, float[]>> gradients = new ArrayList<>();
                DreamBoothTrainer.Listener listener = new DreamBoothTrainer.Listener() {
                    @Override
                    public void onGradients(long step, Map<String, NDArray> clipped, double normBeforeClip) {
                        Map<String, float[]> copy = new LinkedHashMap<>();
                        clipped.forEach((n, g) -> copy.put(n, g.toFloatArray()));
                        gradients.add(copy);
                    }
                };
                String name = kind + (checkpointing ? "-checkpointing" : "-plain");
                DreamBoothSettings.Builder b = DreamBoothSettings.builder(instances, "a photo of sks shape")
                        .trainTextEncoder(true)
                        .learningRate(1e-3)
                        .maxTrainSteps(3)
                        .batch(2, 1)
                        .checkpoints(3, 1)
                        .gradientCheckpointing(checkpointing)
                        .outputDir(folder.resolve(name));
                if (kind.equals("lora")) {
                    b.lora(4, 4);
                }
                DreamBoothTrainer.Run run = new DreamBoothTrainer(
                                Reference.model(), LoadOptions.cpu(), b.build(), listener, null)
                        .train(null);
                run.pipeline().close();
                assertEquals(checkpointing, run.checkpoints().get(0).manifest().get("gradient_checkpointing"));
                Map<String, float[]> weights =
                        read(folder.resolve(name + "/checkpoints/checkpoint-3").resolve(TrainingLoop.WEIGHTS));
                List<Double> losses =
                        run.log().rows().stream().map(r -> r.loss()).toList();
                if (!checkpointing) {
                    plainWeights = weights;
                    plainLosses = losses;
                    plainGradients = gradients;
                    continue;
                }
                assertEquals(plainLosses.get(0), losses.get(0), kind + ": step 1 computes the same loss");
                for (int i = 1; i < losses.size(); i++) {
                    assertEquals(plainLosses.get(i), losses.get(i), 1e-6 * plainLosses.get(i), kind + " loss " + i);
                }
                assertClose(kind + " step 1 gradients", plainGradients.get(0), gradients.get(0), 1e-6);
                for (int i = 1; i < gradients.size(); i++) {
                    assertClose(
                            kind + " step " + (i + 1) + " gradients", plainGradients.get(i), gradients.get(i), 1e-4);
                }
                assertClose(kind + " weights", plainWeights, weights, kind.equals("lora") ? 1e-6 : 1e-4);
            }
        }
    }

    private static Map<String, float[]> read(Path file) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager();
                SafeTensors st = SafeTensors.open(file)) {
            st.keys()
                    .forEach(name ->
                            out.put(name, st.read(name, m, DataType.FLOAT32).toFloatArray()));
        }
        return out;
    }

    /** ‖expected − actual‖ / ‖expected‖ over all tensors together ≤ {@code relative}. */
    private static void assertClose(
            String what, Map<String, float[]> expected, Map<String, float[]> actual, double relative) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        double diff = 0;
        double size = 0;
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            float[] want = e.getValue();
            float[] got = actual.get(e.getKey());
            assertEquals(want.length, got.length, what + " " + e.getKey());
            for (int i = 0; i < want.length; i++) {
                diff += (want[i] - (double) got[i]) * (want[i] - (double) got[i]);
                size += (double) want[i] * want[i];
            }
        }
        assertTrue(size > 0, what + ": all zero");
        double rel = Math.sqrt(diff / size);
        assertTrue(rel <= relative, what + ": relative difference " + rel + " > " + relative);
    }

    private static double norm(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
