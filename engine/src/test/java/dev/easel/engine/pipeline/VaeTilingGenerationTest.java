package dev.easel.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.VaeTiling;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VAE tiling in generations on the tiny reference model, whose VAE tiles are 32 pixels (its sample_size): a 32×32
 * image is not tiled, a 64×64 one is.
 */
class VaeTilingGenerationTest {

    static StableDiffusionPipeline pipe;

    @BeforeAll
    static void load() {
        pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    private static GenerationSettings.Builder settings(int size) {
        return GenerationSettings.builder().prompt("a red circle").steps(2).guidanceScale(7).sampler("euler")
                .seed(11).size(size, size);
    }

    @Test
    void anImageNoLargerThanATileIsBitIdenticalAndItsParametersDoNotNameTiling() {
        GenerationSettings off = settings(32).build();
        GenerationSettings on = settings(32).vaeTiling(VaeTiling.DEFAULT).build();
        assertEquals(0, differingPixels(pipe.txt2img(off).images().get(0), pipe.txt2img(on).images().get(0)));
        assertFalse(pipe.tilesVae(on));
        assertFalse(GenerationParameters.of(on, 0, "tiny").withVaeTiling(on, pipe.tilesVae(on)).toA1111()
                .contains("VAE tiling"));
        // img2img encodes the init image through the same switch
        BufferedImage init = pipe.txt2img(off).images().get(0);
        assertEquals(0, differingPixels(pipe.img2img(off, init, 0.5, null, null).images().get(0),
                pipe.img2img(on, init, 0.5, null, null).images().get(0)));
    }

    @Test
    void aLargerImageIsTiledAndItsParametersSaySo() {
        GenerationSettings off = settings(64).build();
        GenerationSettings on = settings(64).vaeTiling(VaeTiling.DEFAULT).build();
        BufferedImage untiled = pipe.txt2img(off).images().get(0);
        BufferedImage tiled = pipe.txt2img(on).images().get(0);
        int differing = differingPixels(untiled, tiled);
        assertTrue(differing > 0, "a 64x64 image was not tiled with 32-pixel tiles");
        assertTrue(pipe.tilesVae(on));
        assertEquals("True", GenerationParameters.of(on, 0, "tiny").withVaeTiling(on, true).extra().get("VAE tiling"));
        GenerationSettings small = settings(64).vaeTiling(new VaeTiling(16)).build();
        assertEquals("16", GenerationParameters.of(small, 0, "tiny").withVaeTiling(small, pipe.tilesVae(small))
                .extra().get("VAE tiling"));
        // img2img at 64x64: the init image is encoded in tiles too
        assertTrue(differingPixels(pipe.img2img(off, untiled, 0.5, null, null).images().get(0),
                pipe.img2img(on, untiled, 0.5, null, null).images().get(0)) > 0);
        // a hires pass to 64x64 from 32x32 tiles its larger decode
        GenerationSettings hires = settings(32).hires(HiresFix.byScale(HiresFix.Upscaler.LATENT, 2, 0, 0.5))
                .vaeTiling(VaeTiling.DEFAULT).build();
        assertTrue(pipe.tilesVae(hires));
    }

    @Test
    void aTileSizeTheVaeCannotSplitIsRefusedBeforeAnyWork() {
        EngineException e = assertThrows(EngineException.class,
                () -> pipe.txt2img(settings(64).vaeTiling(new VaeTiling(20)).build()));
        assertTrue(e.getMessage().startsWith("--vae-tile-size 20 does not split into overlapping tiles: use a"
                + " multiple of 8 pixels"), e.getMessage());
    }

    @Test
    void aRequestThatFitsOnlyWithTilingIsRefusedNamingVaeTiling() {
        // 2048x2048: about 11 GB untiled (the decoder at full resolution), about 5 GB tiled
        System.setProperty("easel.memory.available", String.valueOf(6L << 30));
        try {
            EngineException e = assertThrows(EngineException.class, () -> settings(2048).build().validate());
            assertTrue(e.getMessage().startsWith("1 image of 2048x2048 needs about "), e.getMessage());
            assertTrue(e.getMessage().contains("; --vae-tiling (VAE decoding in tiles) would need about"), e.getMessage());
            settings(2048).vaeTiling(VaeTiling.DEFAULT).build().validate();
            System.setProperty("easel.memory.available", String.valueOf(1L << 30));
            e = assertThrows(EngineException.class, () -> settings(2048).build().validate());
            assertTrue(e.getMessage().endsWith("ask for a smaller size or fewer images at once"), e.getMessage());
        } finally {
            System.clearProperty("easel.memory.available");
        }
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    n++;
                }
            }
        }
        return n;
    }
}
