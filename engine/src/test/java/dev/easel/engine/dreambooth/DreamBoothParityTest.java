package dev.easel.engine.dreambooth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.train.AdamW;
import dev.easel.engine.train.DenoisingLoss;
import dev.easel.engine.train.LearningRateSchedule;
import dev.easel.engine.train.TrainingListener;
import dev.easel.engine.train.TrainingLog;
import dev.easel.engine.train.TrainingLoop;
import dev.easel.engine.train.TrainingSettings;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two DreamBooth steps (text encoder trained, prior preservation) on the reference model equal diffusers'
 * train_dreambooth.py: the losses, the clipped gradients of step 1 and every parameter after steps 1 and 2.
 */
class DreamBoothParityTest {

    @TempDir
    Path run;

    @Test
    void twoTrainingStepsEqualDiffusers() {
        JsonNode expected = Reference.index().get("train_step");
        List<Double> losses = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager();
                StableDiffusionPipeline pipeline = ModelLoader.load(Reference.model(), LoadOptions.cpu());
                SafeTensors gradsStep1 =
                        SafeTensors.open(Reference.expected("train_step/grads_step1_clipped.safetensors"))) {
            NDArray pixels = Reference.npy(manager, "train_step/pixel_values.npy");
            NDArray ids = Reference.npy(manager, "train_step/input_ids.npy");
            NDArray vaeEps = Reference.npy(manager, "train_step/vae_eps.npy");
            NDArray noise = Reference.npy(manager, "train_step/noise.npy");
            long[] timesteps =
                    Reference.npy(manager, "train_step/timesteps.npy").toLongArray();
            NoiseDraws recorded = new NoiseDraws() {
                @Override
                public NDArray latentEps(NDManager scope, Shape shape) {
                    return vaeEps;
                }

                @Override
                public NDArray noise(NDManager scope, NDArray latents) {
                    return noise;
                }

                @Override
                public long[] timesteps(NDManager scope, int batch) {
                    return timesteps;
                }
            };
            DreamBoothObjective objective = new DreamBoothObjective(
                    pipeline.vae(),
                    pipeline.textEncoder(),
                    pipeline.unet(),
                    new DenoisingLoss(SchedulerConfig.sd1()),
                    (scope, step, micro) -> new DreamBoothBatch(pixels, ids, 1),
                    recorded,
                    new DreamBoothObjective.Options(true, 1.0, 0),
                    Map.of("model", "tiny-sd"));
            List<String> gradientProblems = new ArrayList<>();
            Map<String, float[]> gradientsStep1 = new java.util.HashMap<>();
            List<String> parameterProblems = new ArrayList<>();
            TrainingListener checks = new TrainingListener() {
                @Override
                public void onGradients(long step, Map<String, NDArray> clipped, double normBeforeClip) {
                    norms.add(normBeforeClip);
                    if (step == 1) {
                        clipped.forEach((name, gradient) -> {
                            NDArray want = gradsStep1.read(name, manager, DataType.FLOAT32);
                            double diff = Reference.maxDiff(want, gradient);
                            double scale = want.abs().max().getFloat();
                            gradientsStep1.put(name, want.toFloatArray());
                            if (diff > 1e-5 + 1e-3 * scale) {
                                gradientProblems.add(name + " differs by " + diff + " (max |g| " + scale + ")");
                            }
                        });
                    }
                }

                @Override
                public void onStep(TrainingLog.Row row, long totalSteps, TrainingLog log) {
                    losses.add(row.loss());
                    parameterProblems.addAll(compareParameters(
                            objective.trainableParameters(), (int) row.step(), gradientsStep1, manager));
                }
            };
            TrainingSettings settings = new TrainingSettings(
                    2,
                    1e-4,
                    LearningRateSchedule.constant(),
                    1,
                    1.0,
                    new AdamW.Settings(0.9, 0.999, 1e-2, 1e-8),
                    0,
                    100,
                    1,
                    run);
            new TrainingLoop(settings, checks, null).run(objective, null);

            assertEquals(expected.get("step1").get("loss").asDouble(), losses.get(0), 1e-4);
            assertEquals(expected.get("step2").get("loss").asDouble(), losses.get(1), 1e-4);
            assertEquals(expected.get("step1").get("grad_norm_before_clip").asDouble(), norms.get(0), 1e-3);
            assertEquals(expected.get("step2").get("grad_norm_before_clip").asDouble(), norms.get(1), 1e-3);
            assertEquals(List.of(), gradientProblems, "clipped gradients of step 1");
            assertEquals(List.of(), parameterProblems, "parameters after steps 1 and 2");
        }
    }

    /**
     * Differences of the parameters from diffusers' after a step, element by element. An AdamW step moves a weight by
     * about lr·g/(|g| + ε) = 1e-4 where the gradient carries signal, and there we require agreement to 2e-6 (2 % of a
     * step). Where a gradient is near zero — exactly zero in theory for a bias right before a GroupNorm, float noise of
     * ~1e-9 in practice on both sides — Adam amplifies any difference by up to lr·ε/(|g| + ε)² ≈ 10⁴, so there
     * (recorded |g| ≤ 1e-6) we require only that the moves stay within one lr per step.
     */
    private static List<String> compareParameters(
            Map<String, NDArray> parameters, int step, Map<String, float[]> gradients, NDManager manager) {
        String file = "params_after_step" + step;
        try (SafeTensors expected = SafeTensors.open(Reference.expected("train_step/" + file + ".safetensors"))) {
            assertEquals(expected.keys(), parameters.keySet(), "the same trainable parameters as diffusers");
            List<String> problems = new ArrayList<>();
            parameters.forEach((name, actual) -> {
                float[] want = expected.read(name, manager, DataType.FLOAT32).toFloatArray();
                float[] got = actual.toFloatArray();
                float[] gradient = gradients.get(name);
                for (int i = 0; i < want.length; i++) {
                    double allowed = Math.abs(gradient[i]) > 1e-6 ? 2e-6 : step * 1e-4;
                    if (Math.abs(want[i] - got[i]) > allowed) {
                        problems.add(file + " " + name + "[" + i + "]: " + want[i] + " vs " + got[i] + " (gradient "
                                + gradient[i] + ")");
                        return;
                    }
                }
            });
            return problems;
        }
    }
}
