package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.cli.GenerateCommand;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.weights.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad model input fails with one line naming the file and the problem. */
class BadInputTest {

    @TempDir
    Path tmp;

    private Path model() throws Exception {
        Path dir = tmp.resolve("model");
        SingleFileTest.copyTree(Reference.model(), dir);
        return dir;
    }

    private Path unetFile(Path model) {
        return model.resolve("unet/diffusion_pytorch_model.safetensors");
    }

    private static String failLoad(Path path, String... mustContain) {
        EngineException e = assertThrows(
                EngineException.class,
                () -> ModelLoader.load(path, LoadOptions.cpu()).close());
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), "one line: " + msg);
        for (String s : mustContain) {
            assertTrue(msg.contains(s), "'" + msg + "' should contain '" + s + "'");
        }
        return msg;
    }

    /** Rewrites the UNet file with one tensor removed or replaced. */
    private void rewriteUnet(Path model, String key, NDArray replacement) {
        try (NDManager m = NDManager.newBaseManager();
                SafeTensors st = SafeTensors.open(unetFile(model))) {
            Map<String, NDArray> all = new LinkedHashMap<>();
            for (String k : st.keys()) {
                if (!k.equals(key)) {
                    all.put(k, st.read(k, m, DataType.FLOAT32));
                } else if (replacement != null) {
                    all.put(k, replacement);
                }
            }
            st.close();
            SafeTensors.write(all, null, unetFile(model));
        }
    }

    @Test
    void missingModelPath() {
        failLoad(tmp.resolve("nope"), "nope", "file not found");
    }

    @Test
    void missingWeightsFile() throws Exception {
        Path m = model();
        Files.delete(m.resolve("vae/diffusion_pytorch_model.safetensors"));
        failLoad(m, "vae", "diffusion_pytorch_model.safetensors");
    }

    @Test
    void truncatedFile() throws Exception {
        Path m = model();
        byte[] all = Files.readAllBytes(unetFile(m));
        Files.write(unetFile(m), java.util.Arrays.copyOf(all, all.length / 2));
        failLoad(m, "diffusion_pytorch_model.safetensors", "truncated");
    }

    @Test
    void truncatedInsideHeader() throws Exception {
        Path m = model();
        byte[] all = Files.readAllBytes(unetFile(m));
        Files.write(unetFile(m), java.util.Arrays.copyOf(all, 100));
        failLoad(m, "diffusion_pytorch_model.safetensors", "truncated");
        Files.write(unetFile(m), java.util.Arrays.copyOf(all, 5));
        failLoad(m, "diffusion_pytorch_model.safetensors", "truncated");
    }

    @Test
    void corruptHeaderJson() throws Exception {
        Path m = model();
        byte[] all = Files.readAllBytes(unetFile(m));
        for (int i = 8; i < 40; i++) {
            all[i] = '#';
        }
        Files.write(unetFile(m), all);
        failLoad(m, "diffusion_pytorch_model.safetensors", "corrupt safetensors header");
    }

    @Test
    void absurdHeaderLength() throws Exception {
        Path m = model();
        byte[] all = Files.readAllBytes(unetFile(m));
        for (int i = 0; i < 8; i++) {
            all[i] = (byte) 0xff;
        }
        Files.write(unetFile(m), all);
        failLoad(m, "diffusion_pytorch_model.safetensors", "corrupt safetensors header");
    }

    @Test
    void missingKey() throws Exception {
        Path m = model();
        rewriteUnet(m, "mid_block.attentions.0.proj_out.weight", null);
        failLoad(m, "diffusion_pytorch_model.safetensors", "missing key mid_block.attentions.0.proj_out.weight");
    }

    @Test
    void wrongShape() throws Exception {
        Path m = model();
        try (NDManager nd = NDManager.newBaseManager()) {
            rewriteUnet(m, "conv_in.weight", nd.zeros(new ai.djl.ndarray.types.Shape(32, 4, 1, 1)));
        }
        failLoad(m, "diffusion_pytorch_model.safetensors", "wrong shape", "conv_in.weight");
    }

    @Test
    void unknownDtype() throws Exception {
        Path m = model();
        byte[] all = Files.readAllBytes(unetFile(m));
        String s = new String(all, StandardCharsets.ISO_8859_1);
        int i = s.indexOf("\"F32\"");
        byte[] patched = all.clone();
        byte[] q = "\"Q32\"".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(q, 0, patched, i, q.length);
        Files.write(unetFile(m), patched);
        failLoad(m, "diffusion_pytorch_model.safetensors", "unknown dtype Q32");
    }

    @Test
    void legacyPickleCheckpointIsRefused() throws Exception {
        Path ckpt = tmp.resolve("model.ckpt");
        Files.write(ckpt, new byte[] {(byte) 0x80, 2, '.'});
        failLoad(ckpt, "model.ckpt", "safetensors");
    }

    @Test
    void singleFileWithoutUnetKeys() throws Exception {
        Path f = tmp.resolve("other.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            SafeTensors.write(Map.of("x", nd.zeros(new ai.djl.ndarray.types.Shape(2))), null, f);
        }
        failLoad(f, "other.safetensors", "missing key model.diffusion_model.input_blocks.0.0.weight");
    }

    @Test
    void checkpointShapesThatDoNotMatchTheConfig() throws Exception {
        Path config = model();
        Path unetConfig = config.resolve("unet/config.json");
        Files.writeString(
                unetConfig,
                Files.readString(unetConfig).replace("\"cross_attention_dim\": 32", "\"cross_attention_dim\": 48"));
        Path ckpt = Reference.root().resolve("formats/tiny-sd.ckpt");
        EngineException e = assertThrows(
                EngineException.class,
                () -> ModelLoader.load(ckpt, LoadOptions.cpu().withConfigDir(config))
                        .close());
        assertTrue(
                e.getMessage().startsWith(ckpt + ": wrong shape for model.diffusion_model.")
                        && e.getMessage().contains("attn2.to_k.weight"),
                e.getMessage());
    }

    @Test
    void aWriterThatFailsHalfWayLeavesNoFile() throws Exception {
        Path f = tmp.resolve("half.safetensors");
        List<SafeTensors.Spec> specs = List.of(
                new SafeTensors.Spec("a", "F32", new long[] {4}), new SafeTensors.Spec("b", "F32", new long[] {4}));
        EngineException e = assertThrows(
                EngineException.class,
                () -> SafeTensors.write(
                        specs,
                        null,
                        f,
                        (spec, out) -> out.write(new byte[spec.name().equals("a") ? 16 : 8])));
        assertTrue(e.getMessage().contains("tensor b produced 8 bytes, expected 16"), e.getMessage());
        assertFalse(Files.exists(f));
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("half")), "temporary file left");
        }
    }

    @Test
    void cliReportsOneLineAndExitCode() throws Exception {
        Path m = model();
        rewriteUnet(m, "conv_in.weight", null);
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        int usage;
        try {
            rc = new GenerateCommand()
                    .run(List.of(
                            "--model",
                            m.toString(),
                            "--prompt",
                            "x",
                            "--steps",
                            "2",
                            "--width",
                            "32",
                            "--height",
                            "32",
                            "--out",
                            tmp.resolve("o.png").toString()));
            usage = new GenerateCommand()
                    .run(List.of("--model", m.toString(), "--prompt", "x", "--steps", "two", "--out", "o.png"));
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        String[] lines = text.strip().split("\n");
        assertEquals(1, rc);
        assertEquals(2, usage);
        assertTrue(lines[0].startsWith("txt2img: ") && lines[0].contains("missing key conv_in.weight"), lines[0]);
        assertTrue(text.contains("--steps takes a whole number, got 'two'"), text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
    }
}
