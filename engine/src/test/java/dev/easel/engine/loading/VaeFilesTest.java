package dev.easel.engine.loading;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replacement VAE in each shared layout decodes as the same weights set into the model's own VAE. */
class VaeFilesTest {

    @TempDir
    Path tmp;

    @Test
    void everyLayoutLoadsTheSameWeightsAndComesOffAgain() throws Exception {
        GenerationSettings s = GenerationSettings.builder()
                .prompt("a cat")
                .steps(2)
                .size(32, 32)
                .seed(3)
                .build();
        try (StableDiffusionPipeline pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
                NDManager m = NDManager.newBaseManager()) {
            // "another" VAE: the model's own with a changed decoder output bias
            Map<String, NDArray> diffusers = new LinkedHashMap<>(pipe.vae().parameters());
            diffusers.put(
                    "decoder.conv_out.bias",
                    diffusers.get("decoder.conv_out.bias").add(0.5));
            Map<String, NDArray> ldm = new LinkedHashMap<>();
            Map<String, NDArray> bare = new LinkedHashMap<>();
            diffusers.forEach((k, v) -> {
                String key = LdmKeys.vae(k, pipe.vae().config);
                ldm.put(key, v);
                bare.put(key.substring(LdmKeys.VAE.length()), v);
            });
            Path folder = Files.createDirectories(tmp.resolve("other/vae"));
            Files.copy(Reference.model().resolve("vae/config.json"), folder.resolve("config.json"));
            SafeTensors.write(diffusers, Map.of(), folder.resolve("diffusion_pytorch_model.safetensors"));
            SafeTensors.write(diffusers, Map.of(), tmp.resolve("diffusers.safetensors"));
            SafeTensors.write(ldm, Map.of(), tmp.resolve("checkpoint.safetensors"));
            SafeTensors.write(bare, Map.of(), tmp.resolve("vae-ft-mse.safetensors"));

            float[] first = null;
            for (Path p : new Path[] {
                folder,
                tmp.resolve("other"),
                tmp.resolve("diffusers.safetensors"),
                tmp.resolve("checkpoint.safetensors"),
                tmp.resolve("vae-ft-mse.safetensors")
            }) {
                VaeFiles.use(pipe, p);
                assertEquals(p.getFileName().toString(), pipe.vaeName());
                float[] latents = pipe.txt2img(s).finalLatents().data();
                NDArray bias = pipe.vae().parameters().get("decoder.conv_out.bias");
                assertEquals(0, Reference.maxDiff(bias, diffusers.get("decoder.conv_out.bias")), 0.0, p.toString());
                first = first == null ? latents : first;
                assertArrayEquals(first, latents, 0f, "the VAE does not touch the UNet's latents");
            }
            String text = GenerationParameters.of(s, 0, "tiny")
                    .with("VAE", pipe.vaeName())
                    .toA1111();
            assertTrue(text.contains(", VAE: vae-ft-mse.safetensors"), text);
            int[] other = pipe.txt2img(s).images().get(0).getRGB(0, 0, 32, 32, null, 0, 32);
            VaeFiles.use(pipe, null);
            assertNull(pipe.vaeName());
            int[] own = pipe.txt2img(s).images().get(0).getRGB(0, 0, 32, 32, null, 0, 32);
            assertTrue(!java.util.Arrays.equals(other, own), "the other VAE decodes differently");

            // 8 latent channels: refused in one line, the VAE in use unchanged
            Map<String, NDArray> eight = new LinkedHashMap<>(bare);
            eight.put("post_quant_conv.weight", m.zeros(new Shape(8, 8, 1, 1)));
            SafeTensors.write(eight, Map.of(), tmp.resolve("eight.safetensors"));
            var e = assertThrows(EngineException.class, () -> VaeFiles.use(pipe, tmp.resolve("eight.safetensors")));
            assertTrue(
                    e.getMessage().contains("a VAE with 8 latent channels; this model's latents have 4"),
                    e.getMessage());
            Files.writeString(tmp.resolve("junk.safetensors"), "junk");
            assertThrows(EngineException.class, () -> VaeFiles.use(pipe, tmp.resolve("junk.safetensors")));
            assertNull(pipe.vaeName());
            assertArrayEquals(own, pipe.txt2img(s).images().get(0).getRGB(0, 0, 32, 32, null, 0, 32));
        }
    }
}
