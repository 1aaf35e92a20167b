package dev.easel.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.io.Png;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code txt2img} and {@code xyz} as a user runs them, on the shipped default model. */
class GenerationCommandsTest {

    @TempDir
    Path folder;

    @Test
    void txt2imgWithTheDefaultModelDrawsAtTheModelsOwnSize() {
        Path out = folder.resolve("circle.png");
        assertEquals(0, new GenerateCommand().run(List.of("--model", "default", "--prompt",
                "a red circle on a blue background", "--steps", "2", "--seed", "5", "--out", out.toString())));
        BufferedImage image = Png.read(out);
        assertEquals(64, image.getWidth());
        assertEquals(64, image.getHeight());
        String parameters = Png.readText(out).get("parameters");
        assertTrue(parameters.contains("Size: 64x64") && parameters.contains("Model: default"), parameters);
    }

    @Test
    void txt2imgTakesPromptLorasEmbeddingsAndAVae() throws IOException {
        Path loras = Files.createDirectories(folder.resolve("loras"));
        Path embedding = folder.resolve("shiny.safetensors");
        Path vae = folder.resolve("vae.safetensors");
        try (var pipe = dev.easel.engine.loading.ModelLoader.load(dev.easel.engine.DefaultModel.path(),
                dev.easel.engine.loading.LoadOptions.cpu())) {
            var network = dev.easel.engine.lora.LoraNetwork.create(pipe.unet(), pipe.textEncoder(), 2, 2,
                    pipe.manager());
            network.save(loras.resolve("mine.safetensors"), dev.easel.engine.lora.LoraFormat.KOHYA);
            network.remove();
            long hidden = pipe.textEncoder().tokenEmbedding().dim;
            dev.easel.engine.weights.SafeTensors.write(Map.of("emb_params",
                    pipe.manager().ones(new ai.djl.ndarray.types.Shape(2, hidden))), Map.of(), embedding);
            Map<String, ai.djl.ndarray.NDArray> bare = new java.util.LinkedHashMap<>();
            pipe.vae().parameters().forEach((k, v) -> bare.put(dev.easel.engine.weights.LdmKeys.vae(k, pipe.vae().config)
                    .substring(dev.easel.engine.weights.LdmKeys.VAE.length()), v));
            dev.easel.engine.weights.SafeTensors.write(bare, Map.of(), vae);
        }
        Path out = folder.resolve("tagged.png");
        String err = stderrOf(() -> assertEquals(0, new GenerateCommand().run(List.of("--model", "default",
                "--prompt", "a shiny red circle <lora:mine:0.5>", "--steps", "2", "--seed", "5", "--lora-dir",
                loras.toString(), "--embedding", embedding.toString(), "--vae", vae.toString(),
                "--out", out.toString()))));
        String parameters = Png.readText(out).get("parameters");
        assertTrue(parameters.startsWith("a shiny red circle <lora:mine:0.5>\n"), parameters);
        assertTrue(parameters.contains(", VAE: vae.safetensors"), parameters);
        assertTrue(err.isBlank(), err);
        err = stderrOf(() -> assertEquals(1, new GenerateCommand().run(List.of("--model", "default",
                "--prompt", "a circle <lora:absent>", "--steps", "2", "--lora-dir", loras.toString(),
                "--out", out.toString()))));
        assertTrue(err.startsWith("txt2img: <lora:absent>: no absent.safetensors in "), err);
    }

    @Test
    void xyzSweepsImg2imgStrengthFromAnInitImage() throws IOException {
        Path init = folder.resolve("init.png");
        Png.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), Map.of(), init);
        Path grid = folder.resolve("sweep/grid.png");
        Path table = folder.resolve("results.csv");
        assertEquals(0, new XyzCommand().run(List.of("--model", "default", "--prompt", "a red circle",
                "--x", "strength:0.5,1", "--init-image", init.toString(), "--steps", "2", "--seed", "1",
                "--out", grid.toString(), "--table", table.toString())));
        assertTrue(Files.isRegularFile(grid));
        List<String> rows = Files.readAllLines(table);
        assertEquals(3, rows.size(), "a header and one row per strength: " + rows);
        int strength = List.of(rows.get(0).split(",")).indexOf("strength");
        assertEquals("0.5", rows.get(1).split(",")[strength]);
        assertEquals("1.0", rows.get(2).split(",")[strength]);
    }

    @Test
    void aLoraWeightThatIsNoNumberIsAOneLineError() throws IOException {
        Path lora = Files.writeString(folder.resolve("subject.safetensors"), "");
        String err = stderrOf(() -> assertEquals(2, new GenerateCommand().run(List.of("--model", "default",
                "--prompt", "a red circle", "--lora", lora + ":strong", "--out", folder.resolve("x.png").toString()))));
        assertEquals("txt2img: the weight 'strong' is not a number; write FILE:WEIGHT, e.g. " + lora + ":0.8",
                err.strip());
    }

    @Test
    void xyzOptionsOfImg2imgAndLoraAreKnownAndCheckedInOneLine() {
        String err = stderrOf(() -> assertEquals(1, new XyzCommand().run(List.of("--model", "default", "--prompt",
                "a red circle", "--x", "lora_weight:0.5,1", "--lora", folder.resolve("none.safetensors") + ":1",
                "--out", folder.resolve("g.png").toString()))));
        assertTrue(err.startsWith("xyz: ") && err.contains("none.safetensors"), err);
        err = stderrOf(() -> assertEquals(2, new XyzCommand().run(List.of("--model", "default", "--prompt", "x",
                "--x", "steps:1,2", "--strength", "0.5", "--out", folder.resolve("g.png").toString()))));
        assertTrue(err.startsWith("xyz: --strength is for img2img sweeps; give --init-image too"), err);
    }

    private static String stderrOf(Runnable action) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8).strip();
    }
}
