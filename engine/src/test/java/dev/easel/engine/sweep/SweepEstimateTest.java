package dev.easel.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.Configs;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.pipeline.DiffusionPipeline;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.SamplingSpeed;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The time a large sweep states before it asks for --yes: the arithmetic, with given rates. */
class SweepEstimateTest {

    @TempDir
    Path folder;

    private static final UNet2DConditionModel.Config TINY =
            Configs.read(Reference.model().resolve("unet/config.json"), UNet2DConditionModel.Config::fromJson);

    @Test
    void durationsReadAsAPersonSaysThem() {
        assertEquals("1 second", SweepPlan.Estimate.duration(0.2));
        assertEquals("45 seconds", SweepPlan.Estimate.duration(45));
        assertEquals("25 minutes", SweepPlan.Estimate.duration(1500));
        assertEquals("3.2 hours", SweepPlan.Estimate.duration(3 * 3600 + 720));
        assertEquals("1,389 hours", SweepPlan.Estimate.duration(5e6));
    }

    @Test
    void aMeasuredStepTimeScalesWithTheCellsAndTheirWork() {
        // One recorded step: a guided 64x64 image (UNet batch 2 at 8x8 latents) in 10 ms.
        SamplingSpeed speed = new SamplingSpeed(TINY, 8, Device.cpu());
        speed.record(new Shape(2, 4, 8, 8), 10_000_000);
        SweepPlan plan = SweepPlan.of(
                SweepSpec.of(base(64, 7), "m", Axis.parse("seed:1-200 (+1)"), null, null, folder), models(speed));
        SweepPlan.Estimate estimate = plan.estimate();
        assertTrue(estimate.measured());
        assertEquals(200 * 20 * 0.010, estimate.seconds(), 1e-9, "200 images × 20 steps × 10 ms");
        var refused = assertThrows(AxisSyntaxException.class, () -> plan.checkConfirmed(false, "add --yes"));
        assertEquals(
                "this sweep makes 200 images (4,000 sampling steps with guidance; about 40 seconds, estimated"
                        + " from this model's speed here), more than the 100 run without asking; add --yes, or use fewer"
                        + " values",
                refused.getMessage());
        plan.checkConfirmed(true, "add --yes");

        // Twice the side: four times the convolutions and sixteen times the self-attention, from the same rate.
        long small = speed.stepFlops(64, 64, 1, true);
        long large = speed.stepFlops(128, 128, 1, true);
        SweepPlan larger = SweepPlan.of(
                SweepSpec.of(base(128, 7), "m", Axis.parse("seed:1-200 (+1)"), null, null, folder), models(speed));
        assertEquals(200 * 20 * 0.010 * large / small, larger.estimate().seconds(), 1e-6);
        assertTrue(large > 4 * small, "attention grows faster than the pixels");
        // Without guidance the UNet runs half the batch.
        SweepPlan unguided = SweepPlan.of(
                SweepSpec.of(base(64, 1), "m", Axis.parse("seed:1-200 (+1)"), null, null, folder), models(speed));
        assertEquals(200 * 20 * 0.005, unguided.estimate().seconds(), 1e-9);
    }

    @Test
    void beforeAModelHasGeneratedTheMachinesFloat32RateStandsIn() {
        SweepPlan plan = SweepPlan.of(
                SweepSpec.of(base(64, 7), "m", Axis.parse("seed:1-200 (+1)"), null, null, folder),
                models(new SamplingSpeed(TINY, 8, Device.cpu())));
        SweepPlan.Estimate estimate = plan.estimate();
        assertFalse(estimate.measured());
        assertTrue(estimate.seconds() > 0 && Double.isFinite(estimate.seconds()), estimate::toString);
        assertTrue(estimate.text().endsWith(" or more, estimated from this machine's float32 rate"), estimate::text);
    }

    @Test
    void aModelRecordsTheStepsItRuns() {
        try (var pipeline = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            SamplingSpeed speed = pipeline.samplingSpeed();
            pipeline.txt2img(base(32, 7).toBuilder().steps(1).build());
            assertFalse(speed.rate().measured(), "a generation's first step also encodes the prompt: not timed");
            pipeline.txt2img(base(32, 7).toBuilder().steps(3).build());
            assertTrue(speed.rate().measured());
            assertTrue(speed.rate().flopsPerSecond() > 0);
        }
    }

    private static GenerationSettings base(int side, double cfg) {
        return GenerationSettings.builder()
                .prompt("a red circle")
                .steps(20)
                .guidanceScale(cfg)
                .seed(5)
                .size(side, side)
                .build();
    }

    private static SweepModels models(SamplingSpeed speed) {
        return new SweepModels() {
            @Override
            public void check(String model) {}

            @Override
            public DiffusionPipeline pipeline(String model) {
                throw new AssertionError("an estimate loads no model when it has its speed");
            }

            @Override
            public SamplingSpeed samplingSpeed(String model) {
                return speed;
            }
        };
    }
}
