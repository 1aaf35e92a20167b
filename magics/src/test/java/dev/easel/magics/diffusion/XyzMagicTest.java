package dev.easel.magics.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.Easel;
import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.Sweep;
import dev.easel.display.MimeBundle;
import dev.easel.engine.sweep.Axis;
import dev.easel.magics.JShellContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.Magics;
import dev.easel.notebook.Outputs;
import dev.easel.notebook.RecordingSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** %xyz, %%xyz and sd.xyz() on the real tiny reference model (32×32 noise images, fast). */
class XyzMagicTest {

    static JShellContext context;
    static final Magics MAGICS = Magics.load(XyzMagicTest.class.getClassLoader());

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        context = new JShellContext(dir);
        Outputs.setFolder(null);
        ModelRegistry.global().all().forEach(Model::close);
        MAGICS.runCell("%load_model default --as sd", context);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void lineMagicShowsTheGridAndTableAndBindsTheSweep() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            MAGICS.runCell(
                    "%xyz --x \"steps:1,2\" --y \"cfg:1,7\" --z \"sampler:euler,ddim\" --seed 3 --as s1 a red circle",
                    context);
            MimeBundle shown =
                    sink.of("display").get(sink.of("display").size() - 1).bundle();
            String html = (String) shown.data().get(MimeBundle.HTML);
            assertTrue(html.contains("<img src=\"data:image/png;base64,"), "the grid");
            assertTrue(html.contains("<table"), "the table");
        }
        assertEquals("8", context.evalJava("s1.table().rowCount()"));
        assertEquals(
                "2",
                context.evalJava("s1.table().where(s1.table().stringColumn(\"sampler\").isEqualTo(\"ddim\")"
                        + ".and(s1.table().intColumn(\"steps\").isEqualTo(2))).rowCount()"));
        assertTrue(Files.isRegularFile(
                Path.of(context.evalJava("s1.gridFile().toString()").replace("\"", ""))));
    }

    @Test
    void cellMagicTakesYaml() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            MAGICS.runCell(
                    "%%xyz --as s2\nprompt: a red circle, on blue\nx: \"seed: 1, 2\"\nsteps: 2\nlegend: true\n",
                    context);
        }
        assertEquals("2", context.evalJava("s2.made()"));
        assertEquals("\"a red circle, on blue\"", context.evalJava("s2.table().stringColumn(\"prompt\").get(0)"));
    }

    @Test
    void anInitImageMakesItAnImg2imgSweepOverStrength() throws Exception {
        context.evalJava("var start = sd.txt2img(\"a red circle\").steps(2).seed(1).run();");
        try (RecordingSink sink = new RecordingSink()) {
            MAGICS.runCell(
                    "%xyz --init start --x \"strength:0.25,1\" --steps 4 --seed 2 --as s3 a red circle", context);
        }
        assertEquals("2", context.evalJava("s3.made()"));
        assertEquals("[0.25, 1.0]", context.evalJava("s3.table().doubleColumn(\"strength\").asList()"));
        assertTrue(error("%xyz --init start --strength 0 --x \"steps:1,2\" a red circle")
                .contains("strength"));
        assertEquals(
                "%xyz: the denoising axis is for img2img sweeps (give an init image) or hires fix (give --hires)",
                error("%xyz --x \"strength:0.5,1\" a red circle"));

        Model sd = Easel.model("sd");
        Sweep sweep = sd.xyz("a red circle")
                .init(sd.txt2img("a red circle").steps(2).seed(1).run(), 0.5)
                .x(Axis.steps(1, 2))
                .run();
        assertEquals(List.of(0.5, 0.5), sweep.table().doubleColumn("strength").asList());
    }

    @Test
    void javaApiRunsTheSameSweep(@TempDir Path dir) {
        Model sd = Easel.model("sd");
        Sweep sweep = sd.xyz(sd.txt2img("a green square").steps(2).seed(5))
                .x(Axis.steps(1, 2))
                .y(Axis.parse("cfg:1,7"))
                .run();
        assertEquals(4, sweep.made());
        assertEquals(4, sweep.table().rowCount());

        var pipe = (dev.easel.engine.pipeline.StableDiffusionPipeline) sd.pipeline();
        Path vae = dir.resolve("same-vae.safetensors");
        dev.easel.engine.weights.SafeTensors.write(pipe.vae().parameters(), java.util.Map.of(), vae);
        Sweep vaes = sd.xyz(sd.txt2img("a green square").steps(1).seed(5))
                .x(Axis.parse("vae:none," + vae))
                .run();
        assertEquals(
                2,
                vaes.made(),
                () -> vaes.table().stringColumn("error").asList().toString());
        assertEquals(
                List.of("", "same-vae.safetensors"),
                vaes.table().stringColumn("vae").asList(),
                "the table names each cell's VAE");
    }

    @Test
    void badInputIsOneLineBeforeAnyImage() {
        assertEquals(
                "--x: unknown axis 'stepz'; axes are seed, steps, cfg, sampler, prompt_sr, negative, model, size,"
                        + " clip_skip, eta, strength, schedule, var_seed, var_strength, hires_steps, hires_scale, lora_weight,"
                        + " checkpoint, vae",
                error("%xyz --x \"stepz:1,2\" a red circle"));
        assertEquals(
                "%xyz: the steps axis is used twice (X and Y); use each axis once",
                error("%xyz --x \"steps:1,2\" --y \"steps:3\" a red circle"));
        assertEquals(
                "%xyz: prompt_sr axis: 'square' is not in the prompt or the negative prompt; its first value must"
                        + " be text they contain",
                error("%xyz --x \"prompt_sr:square,circle\" a red circle"));
        assertTrue(error("%xyz --x \"model:/no/such/model\" a red circle").contains("nor an existing path"));
        assertTrue(error("%xyz --x \"steps:1-300\" --y \"seed:1-300\" a red circle")
                .contains("MP limit"));
        assertEquals("%xyz needs an X axis, e.g. --x \"steps:10,20,30\"", error("%xyz a red circle"));
        assertTrue(error("%%xyz\nx: [unclosed").startsWith("%%xyz: the cell body is not valid YAML"));
        assertEquals(
                "%%xyz: the cell body is not valid YAML: could not find expected ':' (body line 2, column 13);"
                        + " write one 'name: value' per line",
                error("%%xyz\nx: steps:2,4\na red circle"), "one line");
    }

    @Test
    void aLargeSweepSaysItsSizeAndTimeFromTheModelsOwnSteps() throws Exception {
        MAGICS.runCell("%txt2img --steps 3 --seed 1 a red circle", context); // the model runs steps in this process
        String refused = error("%xyz --x \"seed:1-150 (+1)\" --steps 2 a red circle");
        assertTrue(
                refused.startsWith("%xyz: this sweep makes 150 images (300 sampling steps with guidance; about "),
                refused);
        assertTrue(
                refused.endsWith(", estimated from this model's speed here), more than the 100 run without"
                        + " asking; add --yes (Java: .confirm(true)) to run it, or use fewer values"),
                refused);
    }

    private static String error(String cell) {
        return assertThrows(MagicException.class, () -> MAGICS.runCell(cell, context))
                .getMessage();
    }
}
