package dev.easel.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restricted reader of PyTorch zip checkpoints: real {@code torch.save} files and hand-made defective ones. */
class TorchCheckpointTest {

    @TempDir
    Path tmp;

    static Path formats(String name) {
        return Reference.root().resolve("formats").resolve(name);
    }

    private static String fails(Path file, String... mustContain) {
        EngineException e =
                assertThrows(EngineException.class, () -> TensorFile.open(file).close());
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), msg);
        for (String s : mustContain) {
            assertTrue(msg.contains(s), "'" + msg + "' should contain '" + s + "'");
        }
        return msg;
    }

    @Test
    void torchSaveCheckpointHasTheStateDictTensors() {
        try (TensorFile f = TensorFile.open(formats("tiny-sd.ckpt"));
                NDManager m = NDManager.newBaseManager()) {
            assertTrue(f instanceof TorchCheckpoint);
            assertEquals(512, f.keys().size(), "every tensor of state_dict, not global_step/epoch");
            String key = "cond_stage_model.transformer.text_model.embeddings.position_embedding.weight";
            assertArrayEquals(new long[] {77, 32}, f.shape(key));
            assertEquals("F32", f.dtype(key));
            float[] v = f.read(key, m, DataType.FLOAT32).toFloatArray();
            assertEquals(77 * 32, v.length);
            assertTrue(f.contains("model.diffusion_model.input_blocks.0.0.weight"));
        }
    }

    @Test
    void legacyCheckpointIsAClearError() {
        fails(formats("tiny-sd-legacy.ckpt"), "tiny-sd-legacy.ckpt", "legacy", "non-zip");
    }

    @Test
    void evilPickleIsRefusedByNameAndNothingRuns() throws Exception {
        Path marker = Path.of("/tmp/easel-pwned");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(marker), "marker left by someone else");
        String msg = fails(formats("evil.ckpt"), "evil.ckpt", "refused to load global");
        assertTrue(msg.contains("posix.system") || msg.contains("os.system"), msg);
        Thread.sleep(200);
        assertFalse(Files.exists(marker), "the payload ran");
    }

    @Test
    void anyOtherGlobalIsRefusedBeforeItIsCalled() throws Exception {
        byte[] pickle = new PickleBuilder()
                .global("builtins", "eval")
                .str("1")
                .op(0x85, 'R', '.')
                .bytes();
        fails(PickleBuilder.checkpoint(tmp.resolve("eval.ckpt"), pickle, Map.of()), "builtins.eval");
        byte[] newobj = new PickleBuilder()
                .global("collections", "OrderedDict")
                .op(')', 0x81, '.')
                .bytes();
        fails(PickleBuilder.checkpoint(tmp.resolve("newobj.ckpt"), newobj, Map.of()), "unsupported pickle opcode 0x81");
        byte[] storageCall = new PickleBuilder()
                .global("torch", "FloatStorage")
                .op(')', 'R', '.')
                .bytes();
        fails(
                PickleBuilder.checkpoint(tmp.resolve("call.ckpt"), storageCall, Map.of()),
                "refused to call",
                "torch.FloatStorage");
    }

    @Test
    void handMadeCheckpointReadsWithOffsetIntoItsStorage() throws Exception {
        byte[] pickle = PickleBuilder.stateDict("w", 6, 2, new long[] {2, 2}, new long[] {2, 1});
        Path f = PickleBuilder.checkpoint(
                tmp.resolve("ok.ckpt"), pickle, Map.of("0", PickleBuilder.floats(9, 9, 1, 2, 3, 4)));
        try (TensorFile t = TensorFile.open(f);
                NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(
                    new float[] {1, 2, 3, 4}, t.read("w", m, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new long[] {2, 2}, t.shape("w"));
        }
    }

    @Test
    void nestedDictsAreFlattenedToDottedNamesAndPlainDataIsSkipped() throws Exception {
        // {"string_to_param": {"*": t}, "name": "x", "step": 5, "me": <the root itself>} — A1111's embedding
        // layout, plus a dict that holds itself (the memo lets a pickle build one), which must not loop
        PickleBuilder p = new PickleBuilder()
                .op('}', 'q', 0, '(')
                .str("string_to_param")
                .op('}', '(')
                .str("*");
        p.tensor("FloatStorage", "0", 4, 0, new long[] {2, 2}, new long[] {2, 1})
                .op('u');
        p.str("name").str("x").str("step").integer(5).str("me").op('h', 0).op('u', '.');
        Path f = PickleBuilder.checkpoint(
                tmp.resolve("nested.pt"), p.bytes(), Map.of("0", PickleBuilder.floats(1, 2, 3, 4)));
        try (TensorFile t = TensorFile.open(f);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(java.util.Set.of("string_to_param.*"), t.keys());
            assertArrayEquals(
                    new float[] {1, 2, 3, 4},
                    t.read("string_to_param.*", m, DataType.FLOAT32).toFloatArray());
        }
    }

    @Test
    void flattenedNamesThatCollideOrNestWithoutEndAreOneLineErrors() throws Exception {
        PickleBuilder twice = new PickleBuilder().op('}', '(').str("a.b");
        twice.tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1})
                .str("a")
                .op('}', '(')
                .str("b");
        twice.tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).op('u', 'u', '.');
        fails(
                PickleBuilder.checkpoint(tmp.resolve("twice.pt"), twice.bytes(), Map.of("0", PickleBuilder.floats(1))),
                "two tensors are named a.b");
        PickleBuilder deep = new PickleBuilder();
        for (int i = 0; i < 40; i++) {
            deep.op('}', '(').str("d");
        }
        deep.tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        for (int i = 0; i < 40; i++) {
            deep.op('u');
        }
        fails(
                PickleBuilder.checkpoint(
                        tmp.resolve("deep.pt"), deep.op('.').bytes(), Map.of("0", PickleBuilder.floats(1))),
                "nested more than 32 deep");
    }

    @Test
    void sizesAreNotTakenOnTrust() throws Exception {
        // the storage claims more elements than its zip entry holds
        fails(
                PickleBuilder.checkpoint(
                        tmp.resolve("a.ckpt"),
                        PickleBuilder.stateDict("w", 1_000_000, 0, new long[] {1000, 1000}, new long[] {1000, 1}),
                        Map.of("0", PickleBuilder.floats(1, 2))),
                "truncated checkpoint",
                "storage 0",
                "1000000 elements");
        // the tensor reaches past its storage
        fails(
                PickleBuilder.checkpoint(
                        tmp.resolve("b.ckpt"),
                        PickleBuilder.stateDict("w", 4, 2, new long[] {2, 2}, new long[] {2, 1}),
                        Map.of("0", PickleBuilder.floats(1, 2, 3, 4))),
                "tensor w reaches past its storage");
        // a shape whose element count overflows
        fails(
                PickleBuilder.checkpoint(
                        tmp.resolve("c.ckpt"),
                        PickleBuilder.stateDict(
                                "w", 4, 0, new long[] {1 << 20, 1 << 20, 1 << 20, 1 << 20}, new long[] {1, 1, 1, 1}),
                        Map.of("0", PickleBuilder.floats(1, 2, 3, 4))),
                "tensor w shape overflows");
        // transposed strides
        fails(
                PickleBuilder.checkpoint(
                        tmp.resolve("d.ckpt"),
                        PickleBuilder.stateDict("w", 4, 0, new long[] {2, 2}, new long[] {1, 2}),
                        Map.of("0", PickleBuilder.floats(1, 2, 3, 4))),
                "not contiguous");
        // a storage that is not in the zip
        fails(
                PickleBuilder.checkpoint(
                        tmp.resolve("e.ckpt"),
                        PickleBuilder.stateDict("w", 4, 0, new long[] {4}, new long[] {1}),
                        Map.of()),
                "storage 0",
                "not in the zip");
    }

    @Test
    void truncatedAndCorruptFilesAreOneLineErrors() throws Exception {
        byte[] all = Files.readAllBytes(formats("tiny-sd.ckpt"));
        Path half = Files.write(tmp.resolve("half.ckpt"), Arrays.copyOf(all, all.length / 2));
        fails(half, "half.ckpt", "corrupt checkpoint zip");
        byte[] pickle = PickleBuilder.stateDict("w", 4, 0, new long[] {4}, new long[] {1});
        Path cut = PickleBuilder.checkpoint(
                tmp.resolve("cut.ckpt"),
                Arrays.copyOf(pickle, pickle.length - 9),
                Map.of("0", PickleBuilder.floats(1, 2, 3, 4)));
        fails(cut, "cut.ckpt", "corrupt pickle");
        Path noPickle = PickleBuilder.checkpoint(tmp.resolve("none.ckpt"), new byte[0], Map.of());
        fails(noPickle, "none.ckpt", "corrupt pickle");
    }

    @Test
    void sameTensorsAsTheSafetensorsExportOfTheSameWeights() throws Exception {
        Path st = tmp.resolve("tiny.safetensors");
        try (var p = dev.easel.engine.loading.ModelLoader.load(
                Reference.model(), dev.easel.engine.loading.LoadOptions.cpu())) {
            LdmKeys.export(p.textEncoder(), p.unet(), p.vae(), st);
        }
        try (TensorFile a = TensorFile.open(formats("tiny-sd.ckpt"));
                TensorFile b = TensorFile.open(st);
                NDManager m = NDManager.newBaseManager()) {
            assertTrue(b instanceof SafeTensors);
            int compared = 0;
            for (String k : b.keys()) {
                if (!a.contains(k)) {
                    continue; // the export writes the tiny model's names only
                }
                float[] x = a.read(k, m, DataType.FLOAT32).toFloatArray();
                float[] y = b.read(k, m, DataType.FLOAT32).toFloatArray();
                assertEquals(x.length, y.length, k);
                // the export reshapes some VAE attention weights, so compare values, not shapes
                assertArrayEquals(y, x, 0f, k);
                compared++;
            }
            assertTrue(compared > 400, "compared " + compared);
        }
    }
}
