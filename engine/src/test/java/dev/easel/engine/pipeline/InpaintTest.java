package dev.easel.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.Configs;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.torch.Randomness;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inpainting against what diffusers' StableDiffusionInpaintPipeline must give, derived from its order of random
 * draws: with a white mask a 4-channel model repaints everything, which is txt2img from the second draw of the seeded
 * generator (the first is the image's latent sample); an inpainting UNet whose extra input channels have zero weights
 * is txt2img from the first draw (at strength 1 no image sample is drawn before the noise); a black mask keeps the
 * image's latents exactly.
 */
class InpaintTest {

    static StableDiffusionPipeline four;
    static StableDiffusionPipeline nine;
    static NDManager m;
    static final GenerationSettings S = GenerationSettings.builder()
            .prompt("a red circle")
            .negativePrompt("blue")
            .steps(4)
            .sampler("euler")
            .seed(21)
            .size(32, 32)
            .build();
    static BufferedImage image;

    @BeforeAll
    static void load() throws Exception {
        four = ModelLoader.load(Reference.model(), LoadOptions.cpu());
        m = NDManager.newBaseManager();
        ObjectNode config = (ObjectNode) Configs.read(Reference.model().resolve("unet/config.json"));
        config.put("in_channels", 9);
        UNet2DConditionModel wide =
                new UNet2DConditionModel(Init.empty(m), UNet2DConditionModel.Config.fromJson(config));
        for (Map.Entry<String, NDArray> p : four.unet().parameters().entrySet()) {
            NDArray v = p.getValue().duplicate();
            if (p.getKey().equals("conv_in.weight")) { // the inpainting channels start at zero weight
                v = v.concat(m.zeros(new Shape(v.getShape().get(0), 5, 3, 3)), 1);
            }
            v.attach(m);
            wide.setParameter(p.getKey(), v);
        }
        nine = new StableDiffusionPipeline(
                m,
                Device.cpu(),
                DataType.FLOAT32,
                four.tokenizer(),
                four.textEncoder(),
                wide,
                four.vae(),
                four.schedulerConfig());
        image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillOval(4, 4, 24, 24);
        g.dispose();
    }

    @AfterAll
    static void close() {
        m.close();
        four.close();
    }

    static BufferedImage mask(Color color) {
        BufferedImage mask = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = mask.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 32, 32);
        g.dispose();
        return mask;
    }

    /** The {@code n}-th standard normal draw of shape [1, 4, 16, 16] after seeding, as diffusers' generator gives it. */
    static Latents draw(int n) {
        try (Randomness.Held generator = Randomness.seeded(S.seed())) {
            NDArray d = null;
            for (int i = 0; i <= n; i++) {
                d = m.randomNormal(new Shape(1, 4, 16, 16));
            }
            return Latents.of(d);
        }
    }

    @Test
    void aWhiteMaskRepaintsAllAsTxt2imgFromTheGeneratorsNextDraw() {
        float[] inpainted = four.inpaint(S, image, mask(Color.WHITE), 1.0, null, null)
                .finalLatents()
                .data();
        float[] txt2img = four.txt2img(S.toBuilder().initLatents(draw(1)).build())
                .finalLatents()
                .data();
        assertArrayEquals(txt2img, inpainted, 1e-5f);
    }

    @Test
    void anInpaintingUnetTakesMaskAndMaskedImageAsExtraChannels() {
        float[] inpainted = nine.inpaint(S, image, mask(Color.WHITE), 1.0, null, null)
                .finalLatents()
                .data();
        float[] txt2img = four.txt2img(S.toBuilder().initLatents(draw(0)).build())
                .finalLatents()
                .data();
        assertArrayEquals(txt2img, inpainted, 1e-5f, "zero weights on the extra channels: the plain UNet");
        NDArray w = nine.unet().parameters().get("conv_in.weight");
        NDArray changed = w.add(m.randomNormal(w.getShape()).mul(0.2));
        changed.attach(m);
        nine.unet().setParameter("conv_in.weight", changed);
        float[] white = nine.inpaint(S, image, mask(Color.WHITE), 1.0, null, null)
                .finalLatents()
                .data();
        float[] black = nine.inpaint(S, image, mask(Color.BLACK), 1.0, null, null)
                .finalLatents()
                .data();
        assertTrue(maxDiff(inpainted, white) > 1e-3, "the extra channels are read");
        assertTrue(maxDiff(white, black) > 1e-3, "the mask is read");
    }

    @Test
    void aBlackMaskKeepsTheImagesLatents() {
        GenerationResult kept = four.inpaint(S, image, mask(Color.BLACK), 0.6, null, null);
        // the image's latent sample is the generator's first draw: mean + std·ε
        try (NDManager s = m.newSubManager()) {
            var dist = four.vae().encode(s, ImageTensors.toTensor(s, image, 32, 32));
            NDArray expected = new dev.easel.engine.models.AutoencoderKL.LatentDistribution(dist.mean(), dist.logvar())
                    .sample(draw(0).toArray(s))
                    .mul((float) four.vae().config.scalingFactor());
            assertArrayEquals(expected.toFloatArray(), kept.finalLatents().data(), 1e-5f);
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
