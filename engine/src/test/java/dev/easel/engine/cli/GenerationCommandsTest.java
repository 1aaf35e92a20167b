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
