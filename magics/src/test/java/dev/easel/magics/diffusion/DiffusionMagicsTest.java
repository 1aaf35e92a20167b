package dev.easel.magics.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.Easel;
import dev.easel.Generation;
import dev.easel.Model;
import dev.easel.ModelRegistry;
import dev.easel.display.MimeBundle;
import dev.easel.engine.io.Png;
import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.engine.weights.PickleBuilder;
import dev.easel.magics.Captured;
import dev.easel.magics.JShellContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.Magics;
import dev.easel.notebook.Outputs;
import dev.easel.notebook.RecordingSink;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The diffusion magics against the real tiny reference model (random weights: the images are noise, but real). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiffusionMagicsTest {

    static JShellContext context;
    static Path notebook;
    static final Magics MAGICS = Magics.load(DiffusionMagicsTest.class.getClassLoader());

    @BeforeAll
    static void start(@TempDir Path dir) {
        notebook = dir;
        context = new JShellContext(dir);
        Outputs.setFolder(null);
        ModelRegistry.global().all().forEach(Model::close);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    static String run(String cell) throws Exception {
        return Captured.out(() -> MAGICS.runCell(cell, context));
    }

    static String error(String cell) {
        return assertThrows(MagicException.class, () -> MAGICS.runCell(cell, context))
                .getMessage();
    }

    static List<Path> outputs() throws Exception {
        Path dir = notebook.resolve("outputs");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    static BufferedImage png(MimeBundle bundle) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode((String) bundle.data().get(MimeBundle.PNG))));
    }

    @Test
    @Order(1)
    void txt2imgBeforeAnyModelSaysToLoadOne() {
        assertEquals(
                "%txt2img: no model loaded — run %load_model default (or %load_model PATH) first",
                error("%txt2img a red circle"));
        assertEquals(
                "%%txt2img: no model loaded — run %load_model default (or %load_model PATH) first",
                error("%%txt2img\na red circle"));
    }

    @Test
    @Order(2)
    void loadModelBindsTheVariableAndReusesTheSamePath() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            String out = run("%load_model default");
            assertTrue(out.matches("Loaded default \\(cpu, fp32\\) in [\\d.]+ s → variable sd\\n"), out);
            String lastProgress =
                    sink.events.get(sink.events.size() - 1).bundle().plainText();
            assertTrue(lastProgress.startsWith("Loading default [") && lastProgress.contains("3/3 part"), lastProgress);
        }
        assertEquals("\"default\"", context.evalJava("sd.name()"));
        assertEquals("\"dev.easel.Model\"", context.evalJava("sd.getClass().getName()"));
        Model first = ModelRegistry.global().byName("sd").orElseThrow();

        String again = run("%load_model " + first.source() + " --as sd2 --device cpu --dtype fp32");
        assertEquals("Reusing default (cpu, fp32), already loaded → variable sd2\n", again);
        assertTrue(ModelRegistry.global().byName("sd2").orElseThrow() == first);
        assertEquals(1, ModelRegistry.global().all().size());
        assertTrue(run("%engine").contains("sd, sd2 = Model default (cpu, fp32) from " + first.source()));
    }

    @Test
    @Order(3)
    void txt2imgShowsProgressThenTheImageAndSavesAPngWithParameters() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            run("%txt2img --steps 3 --seed 42 --size 64x48 --negative 'blurry, ugly' a red circle, (detailed:1.2)");
            List<RecordingSink.Event> displays = sink.of("display");
            assertEquals(2, displays.size(), "a progress bar, then the image");
            String progressId = displays.get(0).displayId();
            String lastProgress = sink.events.stream()
                    .filter(e -> progressId.equals(e.displayId()))
                    .reduce((a, b) -> b)
                    .orElseThrow()
                    .bundle()
                    .plainText();
            assertTrue(
                    lastProgress.startsWith("txt2img [")
                            && lastProgress.contains("3/3 it 100%")
                            && (lastProgress.contains(" it/s") || lastProgress.contains(" s/it")),
                    lastProgress);
            BufferedImage shown = png(displays.get(1).bundle());
            assertEquals(List.of(64, 48), List.of(shown.getWidth(), shown.getHeight()));
        }
        List<Path> files = outputs();
        assertEquals(
                List.of("00000-42.png"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        String parameters = Png.readText(files.get(0)).get("parameters");
        assertEquals(
                "a red circle, (detailed:1.2)\nNegative prompt: blurry, ugly\n"
                        + "Steps: 3, Sampler: Euler, CFG scale: 5, Seed: 42, Size: 64x48, Model: default",
                parameters);
        assertEquals(parameters + "\n", run("%png_info outputs/00000-42.png"));
        // No shell expands ~ in a magic: the magic does, as path completion already offered it.
        String home = System.getProperty("user.home");
        try {
            System.setProperty("user.home", files.get(0).getParent().getParent().toString());
            assertEquals(parameters + "\n", run("%png_info ~/outputs/00000-42.png"));
        } finally {
            System.setProperty("user.home", home);
        }
    }

    @Test
    @Order(4)
    void cellFormBatchesAGridWithSeedsAndTheSameSeedRemakesTheImage() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            run("%%txt2img --steps 2 --seed 7 --batch 2 --size 32x32 --sampler ddim --no-save\na blue square");
            MimeBundle shown =
                    sink.of("display").get(sink.of("display").size() - 1).bundle();
            BufferedImage grid = png(shown);
            int tile = 32;
            assertTrue(grid.getWidth() > 2 * tile && grid.getHeight() > tile, grid.getWidth() + "x" + grid.getHeight());
            assertTrue(shown.plainText().startsWith("2 images 32x32 in "), shown.plainText());
            assertTrue(shown.plainText().contains("2 steps DDIM · CFG 5 · seeds [7, 8]"), shown.plainText());
        }
        assertEquals(1, outputs().size(), "--no-save saved nothing");

        Model sd = Easel.model("sd");
        Generation batch = sd.txt2img("a blue square")
                .steps(2)
                .seed(7)
                .batch(2)
                .size(32, 32)
                .sampler("DDIM")
                .run();
        Generation alone = sd.txt2img("a blue square")
                .steps(2)
                .seed(8)
                .size(32, 32)
                .sampler("ddim")
                .run();
        assertEquals(List.of(7L, 8L), batch.seeds());
        assertTrue(sameImage(batch.images().get(1), alone.image()), "image 2 of a batch = the same seed alone");
        assertFalse(sameImage(batch.images().get(0), alone.image()));
    }

    @Test
    @Order(5)
    void img2imgFromAFileOrAVariable() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            run("%img2img --init outputs/00000-42.png --strength 0.5 --steps 4 --seed 1 a green circle");
            BufferedImage shown =
                    png(sink.of("display").get(sink.of("display").size() - 1).bundle());
            BufferedImage init = ImageIO.read(outputs().get(0).toFile());
            BufferedImage same = Easel.model("sd")
                    .img2img(init, "a green circle")
                    .strength(0.5)
                    .steps(4)
                    .seed(1)
                    .progress(false)
                    .run()
                    .image();
            assertTrue(sameImage(same, shown), "the Java API remakes the %img2img image");
        }
        String parameters = Png.readText(outputs().get(outputs().size() - 1)).get("parameters");
        assertTrue(parameters.endsWith(", Model: default, Denoising strength: 0.5"), parameters);

        context.evalJava("var first = sd.txt2img(\"x\").steps(2).seed(3).size(40, 40).run();");
        try (RecordingSink sink = new RecordingSink()) {
            run("%img2img --init first --size 32x32 --steps 2 --seed 5 --no-save a variation");
            BufferedImage shown =
                    png(sink.of("display").get(sink.of("display").size() - 1).bundle());
            Generation first = (Generation) context.variable("first").orElseThrow();
            BufferedImage same = Easel.model("sd")
                    .img2img(first, "a variation")
                    .size(32, 32)
                    .steps(2)
                    .seed(5)
                    .progress(false)
                    .run()
                    .image();
            assertTrue(sameImage(same, shown), "--init VARIABLE uses the variable's first image");
        }
        assertTrue(error("%img2img --init nothing_here --steps 2 x")
                .startsWith(
                        "--init: no file " + notebook.resolve("nothing_here") + " and no cell variable nothing_here"));
        context.evalJava("String notAnImage = \"hello\";");
        assertEquals(
                "--init: the variable notAnImage holds a String, not an image (a BufferedImage or a txt2img result)",
                error("%img2img --init notAnImage x"));
        assertEquals("%img2img needs --init PATH_OR_VARIABLE: the image to start from", error("%img2img x"));
        assertEquals(
                "--strength takes a number more than 0 and at most 1, got 0.0",
                error("%img2img --init first --strength 0 x"));
    }

    @Test
    @Order(6)
    void javaApiRunsRendersAndSaves() throws Exception {
        String text = context.evalJava("var r = dev.easel.Easel.load(\"default\").txt2img(\"a red circle\")"
                + ".steps(2).seed(42).size(64, 48).run(); r.seeds()");
        assertEquals("[42]", text);
        assertEquals("true", context.evalJava("dev.easel.Easel.load(\"default\") == sd"));
        Generation result = Easel.model("sd")
                .txt2img("a red circle, (detailed:1.2)")
                .negative("blurry, ugly")
                .steps(3)
                .seed(42)
                .size(64, 48)
                .progress(false)
                .run();
        BufferedImage magicImage = ImageIO.read(outputs().get(0).toFile());
        assertTrue(sameImage(magicImage, result.image()), "the Java API remakes the %txt2img image from its seed");
        Model sd = Easel.model("sd");
        assertEquals(64, sd.defaultSize(), "the default model: UNet sample size 16 × VAE scale 4, as diffusers");
        assertEquals(
                64,
                sd.txt2img("default size")
                        .steps(1)
                        .progress(false)
                        .run()
                        .image()
                        .getWidth());
        List<Path> saved = result.save(notebook.resolve("kept"));
        assertEquals(result.parameters().get(0), Easel.pngInfo(saved.get(0)));
        assertEquals(
                GenerationParameters.parse(Png.readText(outputs().get(0)).get("parameters")),
                result.parameters().get(0));
    }

    @Test
    @Order(7)
    void interruptStopsWithinOneStepAndTheModelStaysUsable() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] interruptedAt = new long[1];
        long[] stoppedAt = new long[1];
        try (RecordingSink sink = new RecordingSink()) {
            Thread worker = new Thread(() -> {
                try {
                    MAGICS.runCell("%txt2img --steps 1000 --size 64x64 --no-save a long job", context);
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    stoppedAt[0] = System.nanoTime();
                }
            });
            worker.start();
            while (sink.of("display").isEmpty() && worker.isAlive()) {
                Thread.sleep(5);
            }
            Thread.sleep(100);
            interruptedAt[0] = System.nanoTime();
            worker.interrupt();
            worker.join(30_000);
            assertFalse(worker.isAlive());
            String last = sink.events.get(sink.events.size() - 1).bundle().plainText();
            assertTrue(last.endsWith("· interrupted"), last);
            assertFalse(last.contains("1000/1000"), last);
        }
        assertInstanceOf(CancellationException.class, failure.get(), String.valueOf(failure.get()));
        assertTrue(
                (stoppedAt[0] - interruptedAt[0]) / 1e6 < 2000,
                "stopped " + (stoppedAt[0] - interruptedAt[0]) / 1e6 + " ms after the interrupt");
        assertNotNull(Easel.model("sd")
                .txt2img("after")
                .steps(1)
                .size(32, 32)
                .progress(false)
                .run()
                .image());
    }

    @Test
    @Order(8)
    void badInputIsAOneLineErrorSayingWhatToDo() {
        assertEquals(
                "%load_model: no model at " + notebook.resolve("no/such/model") + ": give a diffusers folder "
                        + "(with model_index.json), a .safetensors checkpoint, or 'default'",
                error("%load_model no/such/model"));
        assertEquals(
                "--as: 'my-model' is not a Java variable name — use letters, digits and _, not starting with a "
                        + "digit, and not a keyword (e.g. --as sd2)",
                error("%load_model default --as my-model"));
        assertEquals(
                "--as: 'class' is not a Java variable name — use letters, digits and _, not starting with a "
                        + "digit, and not a keyword (e.g. --as sd2)",
                error("%load_model --as class"));
        assertEquals(
                "--sampler: unknown sampler 'eulr' — did you mean euler? (samplers: ddim, euler, euler_a, "
                        + "dpmpp_2m, dpmpp_2m_karras, dpmpp_2m_sde, dpmpp_sde, dpmpp_2s_a, dpm2, dpm2_a, pndm, heun, lms, "
                        + "unipc)",
                error("%txt2img --sampler eulr a cat"));
        assertEquals(
                "%txt2img: size must be a multiple of 8 on each side, got 500x512 (try 504x512)",
                error("%txt2img --size 500x512 a cat"));
        assertEquals("--steps takes a whole number from 1 to 1000, got -5", error("%txt2img --steps -5 a cat"));
        assertEquals("--steps takes a whole number, got 'abc'", error("%txt2img --steps abc a cat"));
        assertEquals(
                "unknown option --stpes for %txt2img — did you mean --steps? (%txt2img --help lists them)",
                error("%txt2img --stpes 20 a cat"));
        assertEquals("%txt2img needs a prompt, e.g. %txt2img --steps 20 a red circle", error("%txt2img --steps 2"));
        assertEquals(
                "%txt2img: no model called sd3 — did you mean sd? (loaded: sd, sd2)",
                error("%txt2img --model sd3 a cat"));
        assertEquals(
                "--device takes one of cpu, gpu, got 'tpu' — did you mean cpu?",
                error("%load_model default --device tpu"));
        if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            assertEquals(
                    "%load_model: no GPU is visible to PyTorch here (a CPU build of the natives, or no CUDA "
                            + "device): load on the cpu instead",
                    error("%load_model default --device gpu"));
        }
        // Issue 19's inputs: non-finite numbers and requests too large to fit, refused before any work.
        assertEquals("--cfg takes a number such as 7.5, got 'Infinity'", error("%txt2img --cfg Infinity a cat"));
        assertEquals("--cfg takes a number such as 7.5, got 'NaN'", error("%xyz --x steps:1,2 --cfg NaN a cat"));
        assertEquals(
                "--lora: the LoRA weight 'NaN' is not a finite number; write FILE:WEIGHT, e.g. x.safetensors:0.8",
                error("%txt2img --lora x.safetensors:NaN a cat"));
        assertEquals("--batch takes a whole number from 1 to 64, got 100000", error("%txt2img --batch 100000 a cat"));
        assertTrue(error("%txt2img --size 100000x512 a cat")
                .startsWith("%txt2img: size 100000x512 is larger than" + " 8192 pixels a side"));
        assertTrue(
                error("%xyz --x \"seed:1-10000 (+1)\" --size 32x32 a cat")
                        .startsWith("%xyz: this sweep makes" + " 10,000 images (200,000 sampling steps"),
                "a huge sweep says its size and asks for --yes");
        for (String cell :
                List.of("%load_model no/such/model", "%txt2img --sampler eulr a cat", "%txt2img --size 1x1 a")) {
            assertFalse(error(cell).contains("\n"), cell);
        }
    }

    @Test
    @Order(9)
    void completesSamplersAndModelNames() {
        assertEquals(List.of("euler", "euler_a"), MAGICS.complete("%txt2img --sampler eu", 21));
        assertEquals(List.of("sd", "sd2"), MAGICS.complete("%txt2img --model ", 17));
        assertTrue(MAGICS.complete("%load_model --d", 15).containsAll(List.of("--device", "--dtype")));
        assertEquals(List.of("default"), MAGICS.complete("%load_model def", 15), "and paths starting with def");
    }

    @Test
    @Order(10)
    void loraTagsEmbeddingsAndAVaeFromTheMagics() throws Exception {
        Model sd = ModelRegistry.global().byName("sd").orElseThrow();
        var pipe = (dev.easel.engine.pipeline.StableDiffusionPipeline) sd.pipeline();
        Path loras = Files.createDirectories(notebook.resolve("loras"));
        var network = dev.easel.engine.lora.LoraNetwork.create(pipe.unet(), pipe.textEncoder(), 2, 2, pipe.manager());
        network.save(loras.resolve("mine.safetensors"), dev.easel.engine.lora.LoraFormat.KOHYA);
        network.remove();
        long hidden = pipe.textEncoder().tokenEmbedding().dim;
        dev.easel.engine.weights.SafeTensors.write(
                java.util.Map.of("emb_params", pipe.manager().ones(new ai.djl.ndarray.types.Shape(2, hidden))),
                java.util.Map.of(),
                notebook.resolve("shiny.safetensors"));
        dev.easel.engine.weights.SafeTensors.write(
                pipe.vae().parameters(), java.util.Map.of(), notebook.resolve("vae.safetensors"));

        assertEquals(
                "Loaded embedding glossy (2 vectors) on default\n",
                run("%load_embedding shiny.safetensors --token glossy"));
        assertTrue(error("%load_embedding shiny.safetensors --token glossy").startsWith("%load_embedding: ")
                && error("%load_embedding shiny.safetensors --token glossy").contains("already in the tokenizer"));
        sd.loraDir(loras);
        run("%txt2img --steps 2 --seed 77 --vae vae.safetensors a glossy circle <lora:mine:0.5>");
        Path file = outputs().stream()
                .filter(p -> p.getFileName().toString().endsWith("-77.png"))
                .findFirst()
                .orElseThrow();
        String parameters = Png.readText(file).get("parameters");
        assertTrue(parameters.startsWith("a glossy circle <lora:mine:0.5>\n"), parameters);
        assertTrue(parameters.contains("VAE: vae.safetensors"), parameters);
        assertEquals(null, pipe.vaePath(), "the VAE of one request comes off after it");
        assertTrue(error("%txt2img --steps 2 a circle <lora:absent>").contains("<lora:absent>: no absent.safetensors"));
        sd.unloadEmbedding("glossy");
        sd.loraDir(null);
    }

    @Test
    @Order(10)
    void a1111PtEmbeddingsFromTheMagicTheJavaApiAndTheFolder() throws Exception {
        Model sd = ModelRegistry.global().byName("sd").orElseThrow();
        var pipe = (dev.easel.engine.pipeline.StableDiffusionPipeline) sd.pipeline();
        long hidden = pipe.textEncoder().tokenEmbedding().dim;
        float[] vectors = new float[(int) (2 * hidden)];
        java.util.Arrays.fill(vectors, 0.5f);
        long[] shape = {2, hidden};
        Path dir = Files.createDirectories(notebook.resolve("pt-embeddings"));
        PickleBuilder.a1111Embedding(notebook.resolve("glow.pt"), vectors, shape, false, p -> p.integer(500));
        PickleBuilder.a1111Embedding(dir.resolve("dullness.pt"), vectors, shape, true, p -> p.integer(500));
        PickleBuilder.a1111Embedding(
                notebook.resolve("numpy.pt"), vectors, shape, false, p -> p.global("numpy.core.multiarray", "scalar"));
        var before = sd.embeddings();

        String refused = error("%load_embedding numpy.pt");
        assertTrue(
                refused.startsWith("%load_embedding: ")
                        && refused.contains("refused to load global" + " numpy.core.multiarray.scalar")
                        && !refused.contains("\n"),
                refused);
        var e = assertThrows(
                IllegalArgumentException.class, () -> sd.loadEmbedding(notebook.resolve("numpy.pt"), null));
        assertTrue(e.getMessage().contains("refused to load global"), e.getMessage());
        assertEquals(before, sd.embeddings(), "nothing loaded");

        assertEquals("Loaded embedding shine (2 vectors) on default\n", run("%load_embedding glow.pt --token shine"));
        assertEquals("glow", sd.loadEmbedding(notebook.resolve("glow.pt"), null));
        sd.embeddingsDir(dir);
        run("%txt2img --steps 1 --seed 78 --negative dullness a shine glow circle");
        assertEquals(2, sd.embeddings().get("dullness"), "the folder's file the negative prompt names");
        for (String token : List.of("shine", "glow", "dullness")) {
            sd.unloadEmbedding(token);
        }
        sd.embeddingsDir(null);
        assertEquals(before, sd.embeddings());
    }

    @Test
    @Order(11)
    void inpaintRepaintsOnlyTheMaskFromMagicAndJava() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setColor(java.awt.Color.CYAN);
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        BufferedImage mask = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        g = mask.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(16, 16, 32, 32);
        g.dispose();
        Png.write(image, java.util.Map.of(), notebook.resolve("photo.png"));
        Png.write(mask, java.util.Map.of(), notebook.resolve("mask.png"));
        run("%inpaint --init photo.png --mask mask.png --mask-blur 0 --steps 2 --seed 91 a red circle");
        Path file = outputs().stream()
                .filter(p -> p.getFileName().toString().endsWith("-91.png"))
                .findFirst()
                .orElseThrow();
        BufferedImage out = Png.read(file);
        assertEquals(image.getRGB(2, 2), out.getRGB(2, 2), "outside the mask: the original");
        assertTrue(
                Png.readText(file).get("parameters").contains("Denoising strength: 1, Mask blur: 0"),
                Png.readText(file).get("parameters"));
        Model sd = ModelRegistry.global().byName("sd").orElseThrow();
        Generation viaJava = sd.inpaint(image, mask, "a red circle")
                .maskBlur(0)
                .steps(2)
                .seed(91)
                .run();
        assertTrue(sameImage(out, viaJava.image()), "the magic and the Java API give the same image");
        assertTrue(error("%inpaint --init photo.png --mask nothing.png a cat").startsWith("--mask: no file "));
    }

    @Test
    @Order(12)
    void a1111RecipesRunInNotebooksAndPngsReRunToTheSameImage() throws Exception {
        String help = run("%txt2img --help");
        for (var sampler : dev.easel.engine.samplers.Samplers.all()) {
            assertTrue(help.contains(sampler.id() + " (" + sampler.displayName() + ")"), sampler.id());
        }
        for (String option : List.of(
                "--schedule",
                "--subseed N",
                "--subseed-strength",
                "--plain-prompt",
                "--hires",
                "--hr-upscaler",
                "--hr-scale",
                "--hr-size",
                "--hr-steps",
                "--denoising-strength")) {
            assertTrue(help.contains(option), option);
        }
        run("%load_model " + CheckpointMagicTest.reference().resolve("tiny-sd") + " --as tiny");
        Outputs.setFolder(notebook.resolve("recipes"));
        run("%txt2img --model tiny --steps 2 --seed 5 --size 32x32 --sampler \"DPM++ 2M SDE Karras\" --subseed 9"
                + " --subseed-strength 0.3 --hires --hr-steps 2 --hr-scale 1.5 --negative blurry"
                + " (masterpiece:1.2), a [red|blue] circle");
        Path first;
        try (Stream<Path> files = Files.list(notebook.resolve("recipes"))) {
            first = files.sorted().findFirst().orElseThrow();
        }
        String parameters = Png.readText(first).get("parameters");
        assertEquals(
                "(masterpiece:1.2), a [red|blue] circle\nNegative prompt: blurry\nSteps: 2, Sampler: DPM++ 2M SDE,"
                        + " Schedule type: Karras, CFG scale: 7, Seed: 5, Size: 32x32, Model: tiny-sd, Variation seed: 9,"
                        + " Variation seed strength: 0.3, Denoising strength: 0.7, Hires upscale: 1.5, Hires steps: 2,"
                        + " Hires upscaler: Latent",
                parameters);
        BufferedImage original = Png.read(first);
        assertEquals(48, original.getWidth());
        // the Java API re-makes it from the PNG on the loaded model the PNG names …
        String[] notes = new String[1];
        Generation again =
                stderr(notes, () -> Easel.fromPng(first).progress(false).run());
        assertEquals("", notes[0]);
        assertTrue(sameImage(original, again.image()), "same PNG, same seed, same model → same image");
        assertEquals(parameters, again.parameters().get(0).toA1111());
        // … and so does %png_info --run, which prints the parameters and saves the new image with them
        Outputs.setFolder(notebook.resolve("rerun"));
        String out = run("%png_info " + first + " --run");
        assertTrue(out.startsWith(parameters), out);
        try (Stream<Path> files = Files.list(notebook.resolve("rerun"))) {
            Path rerun = files.sorted().findFirst().orElseThrow();
            assertTrue(sameImage(original, Png.read(rerun)));
            assertEquals(parameters, Png.readText(rerun).get("parameters"));
        }
        // a sampler name with a schedule keeps it in the Java API
        Model tiny = ModelRegistry.global().byName("tiny").orElseThrow();
        assertTrue(tiny.txt2img("a")
                .sampler("Euler Karras")
                .steps(1)
                .size(32, 32)
                .seed(1)
                .progress(false)
                .run()
                .parameters()
                .get(0)
                .toA1111()
                .contains("Sampler: Euler, Schedule type: Karras,"));
        // an A1111 PNG: what Easel lacks is named, one line each; a model it names that is not loaded is said
        Path a1111 = notebook.resolve("a1111.png");
        Png.write(
                new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
                java.util.Map.of(
                        "parameters",
                        "a cat\nSteps: 2, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5, Seed: 3, Size: 32x32,"
                                + " Model hash: 0123456789, Model: sd15, ADetailer model: face_yolov8n.pt, Version: v1.10.1"),
                a1111);
        stderr(notes, () -> run("%png_info a1111.png --run --model tiny --no-save"));
        assertEquals(
                List.of(
                        "note: a1111.png: ADetailer model: face_yolov8n.pt — Easel has no such setting; left out",
                        "note: a1111.png: made with model sd15; running it on tiny-sd, so the image will differ unless they"
                                + " are the same weights"),
                notes[0].lines().toList());
        // bad input: one line each
        Png.write(
                new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
                java.util.Map.of(
                        "parameters", "a cat\nSteps: 20, Sampler: Euler, CFG scale: seven, Seed: 1, Size: 64x64"),
                notebook.resolve("bad.png"));
        assertEquals(
                "%png_info: " + notebook.resolve("bad.png") + ": the parameters' CFG scale is 'seven', not a"
                        + " number (e.g. CFG scale: 7)",
                error("%png_info bad.png --run"));
        Png.write(
                new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
                java.util.Map.of("Software", "GIMP"),
                notebook.resolve("plain.png"));
        assertEquals(
                "%png_info: plain.png has no generation parameters (its text chunks: Software)",
                error("%png_info plain.png --run"));
        assertEquals(
                "%txt2img: the --hr-… options and --denoising-strength belong to hires fix; add --hires",
                error("%txt2img --hr-scale 2 a cat"));
        assertEquals(
                "--subseed-strength takes a number from 0 to 1, got 1.5",
                error("%txt2img --subseed 3 --subseed-strength 1.5 a cat"));
        assertTrue(error("%txt2img --model tiny --steps 1 --size 32x32 --hires --hr-size 100x96 a cat")
                .contains("not a multiple of 8"));
        Outputs.setFolder(null);
    }

    /** Runs {@code body}, putting what it printed on standard error into {@code err[0]}. */
    static <T> T stderr(String[] err, java.util.concurrent.Callable<T> body) throws Exception {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            return body.call();
        } finally {
            System.setErr(original);
            err[0] = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        }
    }

    /** The default model's VAE tiles are 64 pixels: a 128x64 image is tiled. */
    @Test
    @Order(13)
    void vaeTilingFromTheMagicAndJavaGivesOneImageAndIsRecorded() throws Exception {
        run("%txt2img --model sd --steps 2 --seed 93 --size 128x64 --vae-tiling a wide field");
        Path file = outputs().stream()
                .filter(p -> p.getFileName().toString().endsWith("-93.png"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                Png.readText(file).get("parameters").endsWith(", VAE tiling: True"),
                Png.readText(file).get("parameters"));
        Model sd = ModelRegistry.global().byName("sd").orElseThrow();
        Generation tiled = sd.txt2img("a wide field")
                .steps(2)
                .seed(93)
                .size(128, 64)
                .vaeTiling(true)
                .progress(false)
                .run();
        assertTrue(sameImage(Png.read(file), tiled.image()), "the magic and the Java API give the same image");
        Generation untiled = sd.txt2img("a wide field")
                .steps(2)
                .seed(93)
                .size(128, 64)
                .progress(false)
                .run();
        assertFalse(sameImage(tiled.image(), untiled.image()), "tiling changed nothing at 128x64");
        assertFalse(untiled.parameters().get(0).extra().containsKey("VAE tiling"));
        assertEquals(
                "32",
                sd.txt2img("a wide field")
                        .steps(1)
                        .size(64, 64)
                        .vaeTileSize(32)
                        .progress(false)
                        .run()
                        .parameters()
                        .get(0)
                        .extra()
                        .get("VAE tiling"));
        assertTrue(
                error("%txt2img --vae-tile-size 32 x")
                        .endsWith("--vae-tile-size is the tile size of VAE tiling;" + " add --vae-tiling"),
                error("%txt2img --vae-tile-size 32 x"));
    }

    static boolean sameImage(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return false;
        }
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
                    return false;
                }
            }
        }
        return true;
    }
}
