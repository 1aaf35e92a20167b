package dev.easel.magics.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.display.MimeBundle;
import dev.easel.magics.JShellContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.Magics;
import dev.easel.notebook.Outputs;
import dev.easel.notebook.RecordingSink;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** %dreambooth on the real tiny reference model: a few steps, everything a notebook user sees. */
class DreamBoothMagicTest {

    static JShellContext context;

    @TempDir
    static Path notebook;

    static final Magics MAGICS = Magics.load(DreamBoothMagicTest.class.getClassLoader());

    @BeforeAll
    static void start() throws Exception {
        context = new JShellContext(notebook);
        Outputs.setFolder(null);
        ModelRegistry.global().all().forEach(Model::close);
        MAGICS.runCell("%load_model default --as sd", context);
        Path subject = Files.createDirectories(notebook.resolve("subject"));
        for (int i = 0; i < 3; i++) {
            BufferedImage image = new BufferedImage(40, 32, BufferedImage.TYPE_INT_RGB);
            image.getGraphics().fillOval(5 + i, 4, 20, 20);
            ImageIO.write(image, "png", subject.resolve("s" + i + ".png").toFile());
        }
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void trainsWithALiveViewAndBindsTheModelAndTheRun() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            MAGICS.runCell(
                    "%dreambooth --instance-dir subject --instance-prompt \"a photo of sks ball\""
                            + " --class-prompt \"a photo of a ball\" --class-dir balls --num-class-images 2 --steps 3"
                            + " --lr 1e-4 --validation-prompt \"a photo of sks ball\" --validation-every 2 --output run1",
                    context);
            assertTrue(!sink.of("update").isEmpty(), "one output area updated in place");
            String last = (String) sink.of("update")
                    .get(sink.of("update").size() - 1)
                    .bundle()
                    .data()
                    .get(MimeBundle.HTML);
            assertTrue(last.contains("alt=\"loss chart\""), "the loss chart");
            assertTrue(last.contains("validation images, step 3"), "the latest validation images");
            String text =
                    sink.of("update").get(sink.of("update").size() - 1).bundle().plainText();
            assertTrue(text.contains("3/3"), "a text form for jupyter console: " + text);
        }
        assertEquals("3", context.evalJava("sd_db_run.losses().rowCount()"));
        assertTrue(Files.isRegularFile(notebook.resolve("run1/model/model_index.json")));
        assertTrue(Files.isRegularFile(notebook.resolve("run1/checkpoints/loss.jsonl")));
        assertEquals(
                "2",
                context.evalJava("java.nio.file.Files.list(java.nio.file.Path.of(\"" + notebook.resolve("balls")
                        + "\")).count()"));
        assertEquals(
                "1", context.evalJava("sd_db.txt2img(\"a photo of sks ball\").steps(2).seed(1).run().images().size()"));
        assertEquals(
                "true",
                context.evalJava("dev.easel.ModelRegistry.global().current().get() == sd"),
                "the base stays current, so a resume trains the same base");
        MAGICS.runCell(
                "%dreambooth --instance-dir subject --instance-prompt \"a photo of sks ball\""
                        + " --class-prompt \"a photo of a ball\" --class-dir balls --num-class-images 2 --steps 4"
                        + " --lr 1e-4 --output run1 --resume run1/checkpoints --as sd_db_more",
                context);
        assertEquals("4", context.evalJava("sd_db_more_run.steps()"));

        // The run's checkpoints side by side: a sweep over the checkpoint axis.
        try (RecordingSink sink = new RecordingSink()) {
            MAGICS.runCell(
                    "%xyz --x \"checkpoint:run1/checkpoints/checkpoint-3,run1/checkpoints/checkpoint-4\""
                            + " --steps 2 --seed 1 --as by_step a photo of sks ball",
                    context);
        }
        assertEquals("2", context.evalJava("by_step.made()"));
    }

    @Test
    void yamlBodyWithLora() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            MAGICS.runCell(
                    "%%dreambooth --as ball_lora\ninstance_dir: subject\ninstance_prompt: a photo of sks ball\n"
                            + "lora_rank: 2\nsteps: 2\nlr: 0.001\noutput: run2\ngradient_checkpointing: true\n",
                    context);
        }
        assertTrue(Files.isRegularFile(notebook.resolve("run2/pytorch_lora_weights.safetensors")));
        assertTrue(
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(notebook.resolve("run2/checkpoints/checkpoint-2/manifest.json")
                                .toFile())
                        .get("gradient_checkpointing")
                        .asBoolean(),
                "the run used and recorded gradient checkpointing");
        assertEquals("2", context.evalJava("ball_lora_run.steps()"));

        // Applied at a weight to the base model, from a magic and from Java; the model is left as it was.
        String plain = "sd.txt2img(\"a photo of sks ball\").steps(2).seed(3).progress(false).run().image()";
        context.evalJava("var plain = " + plain + ";");
        MAGICS.runCell(
                "%txt2img --lora run2/pytorch_lora_weights.safetensors:0.8 --steps 2 --seed 3 --no-save"
                        + " a photo of sks ball",
                context);
        context.evalJava("var lora = sd.txt2img(\"a photo of sks ball\").steps(2).seed(3).progress(false)" + ".lora(\""
                + notebook.resolve("run2/pytorch_lora_weights.safetensors") + "\", 1).run();");
        // Saved with the image as A1111 names a LoRA: a tag in the prompt and its short hash.
        assertEquals(
                "\"a photo of sks ball <lora:pytorch_lora_weights:1>\"",
                context.evalJava("lora.parameters().get(0).prompt()"),
                "saved with the image");
        assertTrue(
                context.evalJava("lora.parameters().get(0).extra().get(\"Lora hashes\")")
                        .matches("\"pytorch_lora_weights: [0-9a-f]{12}\""),
                "its hash saved with the image");
        assertEquals(
                "false",
                context.evalJava("java.util.Arrays.equals(plain.getRGB(0, 0, 8, 8, null, 0, 8),"
                        + " lora.image().getRGB(0, 0, 8, 8, null, 0, 8))"),
                "the LoRA acts");
        assertEquals(
                "true",
                context.evalJava("java.util.Arrays.equals(plain.getRGB(0, 0, 8, 8, null, 0, 8), " + plain
                        + ".getRGB(0, 0, 8, 8, null, 0, 8))"),
                "and is gone after the run");
        assertTrue(error("%txt2img --lora nowhere.safetensors a ball").startsWith("%txt2img: LoRA file not found: "));
        assertEquals(
                "--lora: the weight 'strong' is not a number; write FILE:WEIGHT, e.g."
                        + " run2/pytorch_lora_weights.safetensors:0.8",
                error("%txt2img --lora run2/pytorch_lora_weights.safetensors:strong a ball"));
    }

    @Test
    void badInputIsOneLine() throws Exception {
        assertEquals(
                "%dreambooth needs --instance-prompt \"a photo of sks dog\"",
                error("%dreambooth --instance-dir subject"));
        Files.createDirectories(notebook.resolve("empty"));
        try (RecordingSink sink = new RecordingSink()) {
            assertTrue(error("%dreambooth --instance-dir empty --instance-prompt x")
                    .startsWith("%dreambooth: no images in "));
            // The live view it had opened does not stay at "starting…" above the error.
            String last = sink.events.get(sink.events.size() - 1).bundle().plainText();
            assertEquals("DreamBooth stopped by the error below", last.strip());
        }
        Files.createDirectories(notebook.resolve("nothing-here"));
        assertTrue(error("%dreambooth --instance-dir subject --instance-prompt x --steps 1 --resume nothing-here")
                .contains("is not a checkpoint"));
        assertTrue(error("%dreambooth --instance-dir subject --instance-prompt x --lora-rank -1")
                .contains("--lora-rank"));
        String zero = error("%dreambooth --instance-dir subject --instance-prompt x --lora-rank 0");
        assertTrue(zero.contains("--lora-rank") && zero.contains("1"), zero); // not a silent full fine-tune
    }

    private static String error(String cell) {
        return assertThrows(MagicException.class, () -> MAGICS.runCell(cell, context))
                .getMessage();
    }
}
