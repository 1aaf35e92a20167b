package dev.easel.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /** A quick txt2img with the default model, plus {@code more} options. */
    private static int redCircle(String... more) {
        List<String> argv = new java.util.ArrayList<>(List.of(
                "--model", "default", "--prompt", "a red circle on a blue background", "--steps", "2", "--seed", "5"));
        argv.addAll(List.of(more));
        return new GenerateCommand().run(argv);
    }

    @Test
    void txt2imgWithTheDefaultModelDrawsAtTheModelsOwnSize() {
        Path out = folder.resolve("circle.png");
        assertEquals(0, redCircle("--out", out.toString()));
        BufferedImage image = Png.read(out);
        assertEquals(64, image.getWidth());
        assertEquals(64, image.getHeight());
        String parameters = Png.readText(out).get("parameters");
        assertTrue(parameters.contains("Size: 64x64") && parameters.contains("Model: default"), parameters);
    }

    @Test
    void dtypeFp16LoadsHalfPrecisionWeightsAndSaysThatIsSlowOnTheCpu() {
        Map<String, BufferedImage> drawn = new java.util.LinkedHashMap<>();
        Map<String, String> errors = new java.util.LinkedHashMap<>();
        for (String dtype : List.of("fp32", "fp16")) {
            Path out = folder.resolve(dtype + ".png");
            errors.put(
                    dtype,
                    stderrOf(() ->
                            assertEquals(0, redCircle("--device", "cpu", "--dtype", dtype, "--out", out.toString()))));
            drawn.put(dtype, Png.read(out));
        }
        assertTrue(errors.get("fp32").isBlank(), errors.get("fp32"));
        assertTrue(
                errors.get("fp16").startsWith("easel: float16 weights on the CPU make generation about")
                        && errors.get("fp16").contains("--dtype fp32"),
                errors.get("fp16"));
        int[] full = drawn.get("fp32").getRGB(0, 0, 64, 64, null, 0, 64);
        int[] half = drawn.get("fp16").getRGB(0, 0, 64, 64, null, 0, 64);
        long differing = 0;
        double sum = 0;
        for (int i = 0; i < full.length; i++) {
            for (int shift = 0; shift < 24; shift += 8) {
                int d = Math.abs(((full[i] >> shift) & 0xff) - ((half[i] >> shift) & 0xff));
                sum += d;
                differing += d > 0 ? 1 : 0;
            }
        }
        double mean = sum / (full.length * 3.0);
        // float16 weights really were used (rounding shows), and draw the same picture
        assertTrue(differing > 0 && mean < 4, "channels differing " + differing + ", mean difference " + mean);
    }

    @Test
    void txt2imgTakesPromptLorasEmbeddingsAndAVae() throws IOException {
        Path loras = Files.createDirectories(folder.resolve("loras"));
        Path embedding = folder.resolve("shiny.safetensors");
        Path vae = folder.resolve("vae.safetensors");
        try (var pipe = dev.easel.engine.loading.ModelLoader.load(
                dev.easel.engine.loading.DefaultModel.path(), dev.easel.engine.loading.LoadOptions.cpu())) {
            var network =
                    dev.easel.engine.lora.LoraNetwork.create(pipe.unet(), pipe.textEncoder(), 2, 2, pipe.manager());
            network.save(loras.resolve("mine.safetensors"), dev.easel.engine.lora.LoraFormat.KOHYA);
            network.remove();
            long hidden = pipe.textEncoder().tokenEmbedding().dim;
            dev.easel.engine.weights.SafeTensors.write(
                    Map.of("emb_params", pipe.manager().ones(new ai.djl.ndarray.types.Shape(2, hidden))),
                    Map.of(),
                    embedding);
            Map<String, ai.djl.ndarray.NDArray> bare = new java.util.LinkedHashMap<>();
            pipe.vae()
                    .parameters()
                    .forEach((k, v) -> bare.put(
                            dev.easel.engine.weights.LdmKeys.vae(k, pipe.vae().config)
                                    .substring(dev.easel.engine.weights.LdmKeys.VAE.length()),
                            v));
            dev.easel.engine.weights.SafeTensors.write(bare, Map.of(), vae);
        }
        Path out = folder.resolve("tagged.png");
        String err = stderrOf(() -> assertEquals(
                0,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a shiny red circle <lora:mine:0.5>",
                                "--steps",
                                "2",
                                "--seed",
                                "5",
                                "--lora-dir",
                                loras.toString(),
                                "--embedding",
                                embedding.toString(),
                                "--vae",
                                vae.toString(),
                                "--out",
                                out.toString()))));
        String parameters = Png.readText(out).get("parameters");
        assertTrue(parameters.startsWith("a shiny red circle <lora:mine:0.5>\n"), parameters);
        assertTrue(parameters.contains(", VAE: vae.safetensors"), parameters);
        assertTrue(err.isBlank(), err);
        err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a circle <lora:absent>",
                                "--steps",
                                "2",
                                "--lora-dir",
                                loras.toString(),
                                "--out",
                                out.toString()))));
        assertTrue(err.startsWith("txt2img: <lora:absent>: no absent.safetensors in "), err);
    }

    @Test
    void anA1111PtEmbeddingDrawsWhatItsSafetensorsVersionDrawsAndARefusedOneIsOneLine() throws IOException {
        Path st = folder.resolve("shiny.safetensors");
        Path dir = Files.createDirectories(folder.resolve("embeddings"));
        float[] vectors;
        long[] shape;
        try (var pipe = dev.easel.engine.loading.ModelLoader.load(
                dev.easel.engine.loading.DefaultModel.path(), dev.easel.engine.loading.LoadOptions.cpu())) {
            long hidden = pipe.textEncoder().tokenEmbedding().dim;
            var v = pipe.manager().randomNormal(new ai.djl.ndarray.types.Shape(2, hidden));
            vectors = v.toFloatArray();
            shape = v.getShape().getShape();
            dev.easel.engine.weights.SafeTensors.write(Map.of("emb_params", v), Map.of(), st);
        }
        Path pt = dev.easel.engine.weights.PickleBuilder.a1111Embedding(
                dir.resolve("shiny.pt"), vectors, shape, true, p -> p.integer(3000));
        Map<String, BufferedImage> drawn = new java.util.LinkedHashMap<>();
        for (List<String> how : List.of(
                List.of("--embedding", st.toString()),
                List.of("--embedding", pt + ":shiny"),
                List.of("--embeddings-dir", dir.toString()))) {
            Path out = folder.resolve("shiny-" + drawn.size() + ".png");
            List<String> argv = new java.util.ArrayList<>(List.of(
                    "--model",
                    "default",
                    "--prompt",
                    "a shiny circle",
                    "--steps",
                    "2",
                    "--seed",
                    "5",
                    "--out",
                    out.toString()));
            argv.addAll(how);
            String err = stderrOf(() -> assertEquals(0, new GenerateCommand().run(argv)));
            assertTrue(err.isBlank() || how.get(0).equals("--embeddings-dir"), err);
            drawn.put(how.toString(), Png.read(out));
        }
        BufferedImage expected = drawn.values().iterator().next();
        drawn.forEach((how, image) -> assertArrayEquals(
                expected.getRGB(0, 0, 64, 64, null, 0, 64), image.getRGB(0, 0, 64, 64, null, 0, 64), how));

        Path numpy = dev.easel.engine.weights.PickleBuilder.a1111Embedding(
                folder.resolve("np.pt"), vectors, shape, false, p -> p.global("numpy.core.multiarray", "scalar"));
        String err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a np circle",
                                "--embedding",
                                numpy.toString(),
                                "--out",
                                folder.resolve("np.png").toString()))));
        assertTrue(
                err.startsWith("txt2img: " + numpy + ": archive/data.pkl: refused to load global"
                                + " numpy.core.multiarray.scalar")
                        && !err.strip().contains("\n"),
                err);
    }

    @Test
    void xyzSweepsImg2imgStrengthFromAnInitImage() throws IOException {
        Path init = folder.resolve("init.png");
        Png.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), Map.of(), init);
        Path grid = folder.resolve("sweep/grid.png");
        Path table = folder.resolve("results.csv");
        assertEquals(
                0,
                new XyzCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a red circle",
                                "--x",
                                "strength:0.5,1",
                                "--init-image",
                                init.toString(),
                                "--steps",
                                "2",
                                "--seed",
                                "1",
                                "--out",
                                grid.toString(),
                                "--table",
                                table.toString())));
        assertTrue(Files.isRegularFile(grid));
        List<String> rows = Files.readAllLines(table);
        assertEquals(3, rows.size(), "a header and one row per strength: " + rows);
        int strength = List.of(rows.get(0).split(",")).indexOf("strength");
        assertTrue(List.of(rows.get(0).split(",")).contains("vae"), rows.get(0));
        assertEquals("0.5", rows.get(1).split(",")[strength]);
        assertEquals("1.0", rows.get(2).split(",")[strength]);
    }

    @Test
    void aLoraWeightThatIsNoNumberIsAOneLineError() throws IOException {
        Path lora = Files.writeString(folder.resolve("subject.safetensors"), "");
        String err = stderrOf(() -> assertEquals(
                2,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a red circle",
                                "--lora",
                                lora + ":strong",
                                "--out",
                                folder.resolve("x.png").toString()))));
        assertEquals(
                "txt2img: the weight 'strong' is not a number; write FILE:WEIGHT, e.g. " + lora + ":0.8", err.strip());
    }

    @Test
    void xyzOptionsOfImg2imgAndLoraAreKnownAndCheckedInOneLine() {
        String err = stderrOf(() -> assertEquals(
                1,
                new XyzCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a red circle",
                                "--x",
                                "lora_weight:0.5,1",
                                "--lora",
                                folder.resolve("none.safetensors") + ":1",
                                "--out",
                                folder.resolve("g.png").toString()))));
        assertTrue(err.startsWith("xyz: ") && err.contains("none.safetensors"), err);
        err = stderrOf(() -> assertEquals(
                2,
                new XyzCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "x",
                                "--x",
                                "steps:1,2",
                                "--strength",
                                "0.5",
                                "--out",
                                folder.resolve("g.png").toString()))));
        assertTrue(err.startsWith("xyz: --strength is for img2img sweeps; give --init-image too"), err);
    }

    /** Issue 19's bad inputs: each one line and a non-zero exit, before any model loads or memory is taken. */
    @Test
    void nonFiniteNumbersAndRequestsTooLargeToFitAreRefusedInOneLine() throws IOException {
        String out = folder.resolve("x.png").toString();
        Path lora = Files.writeString(folder.resolve("subject.safetensors"), "");
        Map<List<String>, String> refused = new java.util.LinkedHashMap<>();
        refused.put(List.of("--cfg", "Infinity"), "txt2img: --cfg takes a number such as 7.5, got 'Infinity'");
        refused.put(List.of("--cfg", "NaN"), "txt2img: --cfg takes a number such as 7.5, got 'NaN'");
        refused.put(List.of("--eta", "-Infinity"), "txt2img: --eta takes a number such as 7.5, got '-Infinity'");
        refused.put(
                List.of("--lora", lora + ":NaN"),
                "txt2img: the LoRA weight 'NaN' is not a finite number; write" + " FILE:WEIGHT, e.g. " + lora + ":0.8");
        refused.put(List.of("--batch", "100000"), "txt2img: --batch takes a whole number from 1 to 64, got 100000");
        refused.put(
                List.of("--width", "100000"),
                "txt2img: size 100000x512 is larger than 8192 pixels a side, the"
                        + " most Easel draws (Stable Diffusion models are trained at 512-1024); ask for at most 8192x512");
        refused.put(
                List.of("--height", "100000"),
                "txt2img: size 512x100000 is larger than 8192 pixels a side, the"
                        + " most Easel draws (Stable Diffusion models are trained at 512-1024); ask for at most 512x8192");
        refused.put(
                List.of("--size", "640x640", "--width", "64"),
                "txt2img: give the size once: --size WxH or" + " --width W --height H, not both");
        for (var entry : refused.entrySet()) {
            List<String> argv =
                    new java.util.ArrayList<>(List.of("--model", "default", "--prompt", "a red circle", "--out", out));
            argv.addAll(entry.getKey());
            String err = stderrOf(() -> assertTrue(new GenerateCommand().run(argv) != 0, argv.toString()));
            assertEquals(entry.getValue(), err, argv.toString());
        }
        // Within the side limit but not within this machine's memory: the estimate says how much, and refuses.
        String err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "x",
                                "--size",
                                "8192x8192",
                                "--batch",
                                "64",
                                "--out",
                                out))));
        assertTrue(err.startsWith("txt2img: 64 images of 8192x8192 need about ") && err.contains(" GB of "), err);
        assertTrue(err.endsWith("available; ask for a smaller size or fewer images at once"), err);
    }

    @Test
    void anInitImageTooLargeToReadIsRefusedFromItsHeader() throws IOException {
        // A 20000x20000 PNG: only its header is written, which is all that is read before refusing it.
        Path huge = folder.resolve("huge.png");
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17)
                .put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(20000)
                .putInt(20000)
                .put(new byte[] {8, 2, 0, 0, 0});
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        png.write(java.nio.ByteBuffer.allocate(4).putInt(13).array());
        png.write(ihdr.array());
        png.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        Files.write(huge, png.toByteArray());
        String err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand.Img2Img()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "x",
                                "--init-image",
                                huge.toString(),
                                "--out",
                                folder.resolve("y.png").toString()))));
        assertEquals(
                "img2img: " + huge + ": a 20000x20000 image is larger than 16384 pixels a side, more than an"
                        + " init image needs (at most 8192 is drawn); scale it down first",
                err);
    }

    @Test
    void seedMinusOneIsRandomAndReportedAndJpegCarriesTheParameters() throws IOException {
        Path jpg = folder.resolve("o.jpg");
        PrintStream old = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            assertEquals(
                    0,
                    new GenerateCommand()
                            .run(List.of(
                                    "--model",
                                    "default",
                                    "--prompt",
                                    "a red circle",
                                    "--steps",
                                    "2",
                                    "--seed",
                                    "-1",
                                    "--out",
                                    jpg.toString())));
        } finally {
            System.setOut(old);
        }
        String comment = dev.easel.engine.io.ImageFiles.jpegComment(jpg);
        var parameters = dev.easel.engine.pipeline.GenerationParameters.parse(comment);
        assertTrue(parameters.seed() >= 0, comment);
        assertEquals("a red circle", parameters.prompt());
        assertEquals(5.0, parameters.cfgScale(), "the default model's recommended CFG");
        assertTrue(
                stdout.toString(StandardCharsets.UTF_8).contains("(seed " + parameters.seed() + ")"), stdout::toString);
        assertEquals(64, javax.imageio.ImageIO.read(jpg.toFile()).getWidth(), "a real JPEG");
        String err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "x",
                                "--out",
                                folder.resolve("o.webp").toString()))));
        assertEquals(
                "txt2img: " + folder.resolve("o.webp") + ": .webp is not written; name it .png (parameters in a"
                        + " text chunk) or .jpg (parameters in a comment)",
                err);
    }

    @Test
    void aHugeSweepSaysItsSizeAndNeedsYesAndSweepsNeverShareAFolder() throws IOException {
        String err = stderrOf(() -> assertEquals(
                2,
                new XyzCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "x",
                                "--x",
                                "seed:1-10000 (+1)",
                                "--size",
                                "64x64",
                                "--out",
                                folder.resolve("g.png").toString()))));
        assertTrue(err.startsWith("xyz: this sweep makes 10,000 images (200,000 sampling steps with guidance; "), err);
        assertTrue(
                err.contains(" or more, estimated from this machine's float32 rate), more than the 100 run without"
                        + " asking; add --yes to run it"),
                err);
        Path grid = folder.resolve("grid.png");
        List<String> first = sweep(grid, "first.csv");
        List<String> second = sweep(grid, "second.csv");
        for (String image : first) {
            assertTrue(Files.isRegularFile(Path.of(image)), "the first sweep's images are still there: " + image);
            assertTrue(!second.contains(image), "the second sweep wrote its own files");
        }
        String cell = Png.readText(Path.of(first.get(0))).get("parameters");
        assertTrue(cell.contains("Steps: 1,"), cell);
    }

    private List<String> sweep(Path grid, String table) throws IOException {
        assertEquals(
                0,
                new XyzCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a red circle",
                                "--x",
                                "steps:1,2",
                                "--seed",
                                "3",
                                "--out",
                                grid.toString(),
                                "--table",
                                folder.resolve(table).toString())));
        List<String> rows = Files.readAllLines(folder.resolve(table));
        int image = List.of(rows.get(0).split(",")).indexOf("image");
        return rows.subList(1, rows.size()).stream()
                .map(r -> r.split(",")[image])
                .toList();
    }

    @Test
    void helpIsGeneratedFromTheDeclarationTheMagicsShare() {
        PrintStream old = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, new GenerateCommand().run(List.of("--help")));
        } finally {
            System.setOut(old);
        }
        String help = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--cfg F") && help.contains("[0..100]") && help.contains("else 7)"), help);
        assertTrue(help.contains("--clip-skip N") && help.contains("(default 1)"), help);
        assertTrue(!help.contains("--no-save"), "notebook-only options stay out of the command line");
        for (var sampler : dev.easel.engine.samplers.Samplers.all()) {
            assertTrue(help.contains(sampler.id() + " (" + sampler.displayName() + ")"), sampler.id());
        }
        assertTrue(help.contains("--from-png FILE.png") && help.contains("--hires"), help);
        String err = stderrOf(() -> assertEquals(2, new GenerateCommand().run(List.of("--stpes", "3"))));
        assertEquals("txt2img: unknown option --stpes — did you mean --steps? (txt2img --help lists them)", err);
    }

    @Test
    void a1111RecipeOptionsReachTheImageAndItsParameters() {
        Path out = folder.resolve("recipe.png");
        int[] rc = new int[1];
        String made = stderrOf(() -> rc[0] = new GenerateCommand()
                .run(List.of(
                        "--model",
                        "default",
                        "--prompt",
                        "a (red:1.2) circle, [blue|green] background",
                        "--steps",
                        "3",
                        "--seed",
                        "5",
                        "--sampler",
                        "DPM++ 2M SDE Karras",
                        "--subseed",
                        "9",
                        "--subseed-strength",
                        "0.25",
                        "--hires",
                        "--hr-steps",
                        "2",
                        "--hr-scale",
                        "1.5",
                        "--out",
                        out.toString())));
        assertEquals(0, rc[0], made);
        assertEquals(96, Png.read(out).getWidth());
        String parameters = Png.readText(out).get("parameters");
        assertTrue(
                parameters.contains("Sampler: DPM++ 2M SDE, Schedule type: Karras, CFG scale")
                        && parameters.contains(
                                "Variation seed: 9, Variation seed strength: 0.25, Denoising strength: 0.7")
                        && parameters.contains("Hires upscale: 1.5, Hires steps: 2, Hires upscaler: Latent"),
                parameters);
        String err = stderrOf(() -> assertTrue(new GenerateCommand()
                        .run(List.of("--model", "default", "--prompt", "a", "--hr-steps", "3", "--out", out.toString()))
                != 0));
        assertTrue(err.contains("add --hires"), err);
        err = stderrOf(() -> assertTrue(new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a (cat:1.2.3)",
                                "--steps",
                                "1",
                                "--out",
                                out.toString()))
                != 0));
        assertTrue(err.contains("'1.2.3' is not a number"), err);
        err = stderrOf(() -> assertTrue(new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "a",
                                "--steps",
                                "1",
                                "--hires",
                                "--hr-size",
                                "100x96",
                                "--out",
                                out.toString()))
                != 0));
        assertTrue(err.contains("not a multiple of 8"), err);
    }

    @Test
    void aPngReRunsFromItsParametersToTheSameImageOnTheTinyModel() {
        String tiny = dev.easel.engine.Reference.model().toString();
        Path first = folder.resolve("first.png");
        assertEquals(
                0,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                tiny,
                                "--prompt",
                                "a (red:1.2) circle, [blue|green] background",
                                "--negative",
                                "blurry",
                                "--steps",
                                "3",
                                "--seed",
                                "5",
                                "--sampler",
                                "DPM++ 2M SDE Karras",
                                "--subseed",
                                "9",
                                "--subseed-strength",
                                "0.25",
                                "--size",
                                "32x32",
                                "--clip-skip",
                                "2",
                                "--hires",
                                "--hr-steps",
                                "2",
                                "--hr-scale",
                                "1.5",
                                "--out",
                                first.toString())));
        String parameters = Png.readText(first).get("parameters");
        Path again = folder.resolve("again.png");
        String err = stderrOf(() -> assertEquals(
                0,
                new GenerateCommand()
                        .run(List.of("--model", tiny, "--from-png", first.toString(), "--out", again.toString()))));
        assertEquals("", err, "nothing of Easel's own PNG is left out");
        assertEquals(48, Png.read(first).getWidth());
        assertSamePixels(Png.read(first), Png.read(again));
        assertEquals(parameters, Png.readText(again).get("parameters"));
        // options given with it override the PNG's: another seed, another image, the rest as saved
        Path other = folder.resolve("other.png");
        assertEquals(
                0,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                tiny,
                                "--from-png",
                                first.toString(),
                                "--seed",
                                "6",
                                "--out",
                                other.toString())));
        assertEquals(
                parameters.replace("Seed: 5", "Seed: 6"), Png.readText(other).get("parameters"));
    }

    @Test
    void anA1111PngReRunsAndWhatEaselLacksIsNamedOneLineEach() {
        Path png = folder.resolve("a1111.png");
        Png.write(
                new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
                Map.of(
                        "parameters",
                        "a cat\nNegative prompt: blurry\nSteps: 2, Sampler: Euler a, Schedule type: Karras, CFG scale: 5,"
                                + " Seed: 3, Face restoration: CodeFormer, Size: 32x32, Model hash: 0123456789, Model: sd15,"
                                + " Clip skip: 2, ENSD: 31337, Version: v1.10.1"),
                png);
        Path out = folder.resolve("cat.png");
        // the model it names is not here: the one line says what to pass
        String err = stderrOf(() -> assertEquals(
                2, new GenerateCommand().run(List.of("--from-png", png.toString(), "--out", out.toString()))));
        assertTrue(
                err.startsWith("txt2img: " + png + " was made with model 'sd15' (hash 0123456789), which is not"
                        + " here; pass it with --model PATH (its diffusers folder or .safetensors file)"),
                err);
        assertEquals(1, err.lines().count(), err);
        err = stderrOf(() -> assertEquals(
                0,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                dev.easel.engine.Reference.model().toString(),
                                "--from-png",
                                png.toString(),
                                "--out",
                                out.toString()))));
        assertEquals(
                List.of(
                        "txt2img: a1111.png: Face restoration: CodeFormer — Easel has no such setting; left out",
                        "txt2img: a1111.png: ENSD: 31337 — Easel has no such setting; left out",
                        "txt2img: a1111.png: made with model sd15; running it on tiny-sd, so the image will differ unless they"
                                + " are the same weights"),
                err.lines().toList());
        assertEquals(
                "a cat\nNegative prompt: blurry\nSteps: 2, Sampler: Euler a, Schedule type: Karras, CFG scale: 5,"
                        + " Seed: 3, Size: 32x32, Model: tiny-sd, Clip skip: 2",
                Png.readText(out).get("parameters"));
    }

    @Test
    void aPngWithoutOrWithBadParametersIsAOneLineError() {
        Path plain = folder.resolve("plain.png");
        Png.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), Map.of("Software", "GIMP"), plain);
        Path out = folder.resolve("x.png");
        String err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand()
                        .run(List.of("--model", "default", "--from-png", plain.toString(), "--out", out.toString()))));
        assertEquals(
                "txt2img: " + plain + ": no generation parameters in it (no A1111 'parameters' text); only images"
                        + " saved by Easel, AUTOMATIC1111 or a tool that writes them can be re-run",
                err);
        Path bad = folder.resolve("bad.png");
        Png.write(
                new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
                Map.of("parameters", "a cat\nSteps: 20, Sampler: Euler, CFG scale: seven, Seed: 1, Size: 64x64"),
                bad);
        err = stderrOf(() -> assertEquals(
                1,
                new GenerateCommand()
                        .run(List.of("--model", "default", "--from-png", bad.toString(), "--out", out.toString()))));
        assertEquals(
                "txt2img: " + bad + ": the parameters' CFG scale is 'seven', not a number (e.g. CFG scale: 7)", err);
    }

    private static void assertSamePixels(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                assertEquals(a.getRGB(x, y), b.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
    }

    /** The default model's VAE tiles are 64 pixels (its sample_size): a 128x64 image is tiled, a 64x64 one not. */
    @Test
    void vaeTilingIsRecordedWhenItChangesTheImage() {
        Path small = folder.resolve("small.png");
        Path wide = folder.resolve("wide.png");
        Path tiles = folder.resolve("tiles.png");
        List<String> base = List.of(
                "--model", "default", "--prompt", "a red circle", "--steps", "2", "--seed", "3", "--vae-tiling");
        assertEquals(0, new GenerateCommand().run(concat(base, "--out", small.toString())));
        assertEquals(0, new GenerateCommand().run(concat(base, "--size", "128x64", "--out", wide.toString())));
        assertEquals(0, new GenerateCommand().run(concat(base, "--vae-tile-size", "32", "--out", tiles.toString())));
        assertTrue(
                !Png.readText(small).get("parameters").contains("VAE tiling"),
                Png.readText(small).toString());
        assertTrue(
                Png.readText(wide).get("parameters").endsWith(", VAE tiling: True"),
                Png.readText(wide).toString());
        assertTrue(
                Png.readText(tiles).get("parameters").endsWith(", VAE tiling: 32"),
                Png.readText(tiles).toString());
        // the PNG re-runs with its tiling: the same image
        Path again = folder.resolve("again-wide.png");
        assertEquals(
                0,
                new GenerateCommand()
                        .run(List.of("--model", "default", "--from-png", wide.toString(), "--out", again.toString())));
        assertSamePixels(Png.read(wide), Png.read(again));
        assertEquals(Png.readText(wide).get("parameters"), Png.readText(again).get("parameters"));
        String err = stderrOf(() -> assertEquals(
                2,
                new GenerateCommand()
                        .run(List.of(
                                "--model",
                                "default",
                                "--prompt",
                                "x",
                                "--vae-tile-size",
                                "32",
                                "--out",
                                small.toString()))));
        assertTrue(err.contains("--vae-tile-size is the tile size of VAE tiling; add --vae-tiling"), err);
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    static String stderrOf(Runnable action) {
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
