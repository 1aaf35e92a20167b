package dev.easel.magics.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.Easel;
import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.magics.Captured;
import dev.easel.magics.JShellContext;
import dev.easel.magics.Magics;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code %load_model --prediction-type} and {@code Easel.load(path, device, dtype, predictionType)} override what a
 * model says it predicts (a lone SD 2.x file's guess can be wrong), and a model loaded so is another model.
 */
class PredictionTypeMagicTest {

    private static int[] pixels(Model m) {
        BufferedImage image = m.txt2img("a red circle")
                .steps(2)
                .seed(5)
                .size(32, 32)
                .progress(false)
                .run()
                .image();
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    @Test
    void loadModelAndEaselLoadTakeAPredictionType() throws Exception {
        Path tiny = CheckpointMagicTest.reference().resolve("tiny-sd");
        ModelRegistry.global().all().forEach(Model::close);
        try (JShellContext context = new JShellContext(tiny.getParent())) {
            String out = Captured.out(() -> Magics.load(getClass().getClassLoader())
                    .runCell("%load_model tiny-sd --as v --device cpu --prediction-type v_prediction", context));
            assertTrue(out.contains("→ variable v"), out);
            Model fromMagic = ModelRegistry.global().byName("v").orElseThrow();
            assertEquals(
                    PredictionType.V_PREDICTION,
                    ((StableDiffusionPipeline) fromMagic.pipeline())
                            .schedulerConfig()
                            .predictionType());
            Model fromApi = Easel.load(tiny.toString(), "cpu", "fp32", "v_prediction");
            Model own = Easel.load(tiny.toString(), "cpu", "fp32");
            assertNotSame(own, fromApi, "another prediction type is another model, not the loaded one");
            assertEquals(
                    PredictionType.EPSILON,
                    ((StableDiffusionPipeline) own.pipeline()).schedulerConfig().predictionType());
            int[] v = pixels(fromMagic);
            assertArrayEquals(v, pixels(fromApi));
            assertFalse(Arrays.equals(v, pixels(own)));
        } finally {
            ModelRegistry.global().all().forEach(Model::close);
        }
    }
}
