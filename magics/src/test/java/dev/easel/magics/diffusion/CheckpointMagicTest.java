package dev.easel.magics.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.Easel;
import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.magics.Captured;
import dev.easel.magics.JShellContext;
import dev.easel.magics.Magics;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PyTorch {@code .ckpt} loads from a notebook ({@code %load_model}, {@code Easel.load}) like its .safetensors. */
class CheckpointMagicTest {

    @TempDir
    Path dir;

    static Path reference() {
        String p = System.getProperty("easel.reference");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared", "reference");
        if (!Files.isDirectory(root)) {
            root = Path.of("..", "shared", "reference");
        }
        return root.toAbsolutePath().normalize();
    }

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
    void ckptLoadsThroughLoadModelAndEaselLoadLikeTheSafetensors() throws Exception {
        Path ckpt = Files.copy(reference().resolve("formats/tiny-sd.ckpt"), dir.resolve("tiny.ckpt"));
        Path st = dir.resolve("tiny.safetensors");
        try (StableDiffusionPipeline p = ModelLoader.load(reference().resolve("tiny-sd"), LoadOptions.cpu())) {
            LdmKeys.export(p.textEncoder(), p.unet(), p.vae(), st);
        }
        Path tokenizer = Files.createDirectories(dir.resolve("tokenizer"));
        try (Stream<Path> files = Files.list(reference().resolve("tiny-sd/tokenizer"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, tokenizer.resolve(f.getFileName()));
            }
        }
        ModelRegistry.global().all().forEach(Model::close);
        try (JShellContext context = new JShellContext(dir)) {
            String out = Captured.out(() -> Magics.load(getClass().getClassLoader())
                    .runCell("%load_model tiny.ckpt --as ck --device cpu", context));
            assertTrue(out.contains("Loaded tiny (cpu, fp32)") && out.contains("→ variable ck"), out);
            int[] fromMagic = pixels(ModelRegistry.global().byName("ck").orElseThrow());
            int[] fromApi = pixels(Easel.load(ckpt.toString(), "cpu", "fp32"));
            int[] fromSafetensors = pixels(Easel.load(st.toString(), "cpu", "fp32"));
            assertArrayEquals(fromSafetensors, fromMagic);
            assertArrayEquals(fromSafetensors, fromApi);
        } finally {
            ModelRegistry.global().all().forEach(Model::close);
        }
    }
}
