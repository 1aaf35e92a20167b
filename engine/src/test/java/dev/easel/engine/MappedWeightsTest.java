package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.nn.Module;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.LdmKeys;
import dev.easel.engine.weights.SafeTensors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters read zero-copy from the file's pages (mapped copy-on-write), or converted into huge-page memory, are
 * bit-equal to what a copying read gives, in every format a model comes in; a write into a mapped parameter never
 * reaches the file.
 */
class MappedWeightsTest {

    @TempDir
    Path tmp;

    private static final List<String> COMPONENTS =
            List.of("text_encoder/model", "unet/diffusion_pytorch_model", "vae/diffusion_pytorch_model");

    @Test
    void aFolderLoadsBitEqualToCopyingReadsAndIsMapped() {
        try (StableDiffusionPipeline p = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            assertEqualToCopies(Reference.model(), p);
            assertTrue(
                    mapped(Reference.model().resolve("unet/diffusion_pytorch_model.safetensors")),
                    "the float32 UNet's tensors are mapped, not copied");
        }
    }

    @Test
    void aFloat16FolderLoadsBitEqualToCopyingReads() throws Exception {
        Path fp16 = tmp.resolve("fp16");
        SingleFileTest.copyTree(Reference.model(), fp16);
        try (NDManager m = NDManager.newBaseManager()) {
            for (String c : COMPONENTS) {
                Path file = fp16.resolve(c + ".safetensors");
                Map<String, NDArray> half = new LinkedHashMap<>();
                try (SafeTensors f = SafeTensors.open(file)) {
                    for (String key : f.keys()) {
                        half.put(key, f.read(key, m, DataType.FLOAT16));
                    }
                }
                Files.delete(file);
                SafeTensors.write(half, Map.of(), file);
            }
        }
        try (StableDiffusionPipeline p = ModelLoader.load(fp16, LoadOptions.cpu())) {
            assertEquals(
                    DataType.FLOAT32,
                    p.unet().parameters().values().iterator().next().getDataType());
            assertEqualToCopies(fp16, p);
        }
    }

    @Test
    void singleFileAndCkptLoadBitEqualToTheFolder() throws IOException {
        Path single = tmp.resolve("tiny-sd.safetensors");
        try (StableDiffusionPipeline folder = ModelLoader.load(Reference.model(), LoadOptions.cpu())) {
            LdmKeys.export(folder.textEncoder(), folder.unet(), folder.vae(), single);
            for (Path file : List.of(single, Reference.root().resolve("formats/tiny-sd.ckpt"))) {
                try (StableDiffusionPipeline p =
                        ModelLoader.load(file, LoadOptions.cpu().withConfigDir(Reference.model()))) {
                    assertSameParameters(file, folder.textEncoder(), p.textEncoder());
                    assertSameParameters(file, folder.unet(), p.unet());
                    assertSameParameters(file, folder.vae(), p.vae());
                    assertTrue(mapped(file), file + ": tensors mapped");
                }
            }
        }
    }

    @Test
    void everyKindOfTensorReadsAsParameterBitEqualToACopyingRead() throws IOException {
        Path file = tmp.resolve("kinds.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            // a float16 tensor of odd length first: the float32 one after it is not 4-byte aligned in the file
            t.put("odd_half", m.randomNormal(new Shape(3)).toType(DataType.FLOAT16, false));
            t.put("misaligned", m.randomNormal(new Shape(1000)));
            t.put("half_big", m.randomNormal(new Shape(1024, 3072)).toType(DataType.FLOAT16, false)); // 12 MB as f32
            t.put("conv_1x1", m.randomNormal(new Shape(64, 32, 1, 1)));
            t.put("big", m.randomNormal(new Shape(1024, 1024)));
            t.put("ids", m.arange(0, 100, 1, DataType.INT64));
            SafeTensors.write(t, Map.of(), file);
        }
        try (SafeTensors f = SafeTensors.open(file);
                NDManager m = NDManager.newBaseManager()) {
            for (String key : f.keys()) {
                for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
                    NDArray copy = f.read(key, m, type);
                    NDArray param = f.readParameter(key, f.shape(key), m, type);
                    assertEquals(copy.getDataType(), param.getDataType(), key);
                    assertArrayEquals(copy.toByteArray(), param.toByteArray(), key + " as " + type);
                }
            }
            NDArray squeezed = f.readParameter("conv_1x1", new long[] {64, 32}, m, DataType.FLOAT32);
            assertEquals(new Shape(64, 32), squeezed.getShape());
            assertArrayEquals(f.read("conv_1x1", m, DataType.FLOAT32).toFloatArray(), squeezed.toFloatArray(), 0f);
            EngineException e = assertThrows(
                    EngineException.class, () -> f.readParameter("big", new long[] {1024, 1023}, m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("big") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void anInPlaceWriteToAMappedParameterChangesTheArrayNotTheFile() throws IOException {
        Path file = tmp.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafeTensors.write(Map.of("w", m.arange(0f, 1 << 20, 1f)), Map.of(), file);
        }
        byte[] before = Files.readAllBytes(file);
        try (SafeTensors f = SafeTensors.open(file);
                NDManager m = NDManager.newBaseManager()) {
            NDArray w = f.readParameter("w", f.shape("w"), m, DataType.FLOAT32);
            assertTrue(mapped(file), "read zero-copy");
            w.addi(1f);
            assertEquals(1f, w.getFloat(0));
            assertEquals(0f, f.read("w", m, DataType.FLOAT32).getFloat(0), "a new read sees the file");
        }
        assertArrayEquals(before, Files.readAllBytes(file), "the file is unchanged");
    }

    @Test
    void aConvertedParameterOutlivesTheFileAndTakesInPlaceWrites() throws IOException {
        Path file = tmp.resolve("h.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("small", m.arange(0f, 100f, 1f).toType(DataType.FLOAT16, false));
            t.put("large", m.arange(0f, 3 << 20, 1f).toType(DataType.FLOAT16, false)); // 12 MB as float32
            SafeTensors.write(t, Map.of(), file);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, float[]> expected = new LinkedHashMap<>();
            try (SafeTensors f = SafeTensors.open(file)) {
                for (String key : f.keys()) {
                    params.put(key, f.readParameter(key, f.shape(key), m, DataType.FLOAT32));
                    expected.put(key, f.read(key, m, DataType.FLOAT32).toFloatArray());
                }
            }
            System.gc(); // the reader and its arena are gone: the parameters keep their memory
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                assertEquals(DataType.FLOAT32, p.getDataType());
                assertArrayEquals(expected.get(e.getKey()), p.toFloatArray(), 0f, e.getKey());
                p.addi(1f);
                float[] plusOne = expected.get(e.getKey()).clone();
                for (int i = 0; i < plusOne.length; i++) {
                    plusOne[i] += 1f;
                }
                assertArrayEquals(plusOne, p.toFloatArray(), 0f, e.getKey() + " after an in-place add");
            }
        }
    }

    @Test
    void aFileShrunkAfterOpeningFailsInOneLine() throws IOException {
        Path file = tmp.resolve("s.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafeTensors.write(Map.of("w", m.ones(new Shape(4096))), Map.of(), file);
        }
        try (SafeTensors f = SafeTensors.open(file);
                NDManager m = NDManager.newBaseManager()) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(file) - 100);
            }
            EngineException e =
                    assertThrows(EngineException.class, () -> f.readParameter("w", f.shape("w"), m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("truncated") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Each component's parameters equal, byte for byte, a copying read of the folder's file. */
    private static void assertEqualToCopies(Path folder, StableDiffusionPipeline p) {
        List<Module> modules = List.of(p.textEncoder(), p.unet(), p.vae());
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < modules.size(); i++) {
                Path file = folder.resolve(COMPONENTS.get(i) + ".safetensors");
                try (SafeTensors f = SafeTensors.open(file)) {
                    for (Map.Entry<String, NDArray> e :
                            modules.get(i).parameters().entrySet()) {
                        NDArray copy = f.read(e.getKey(), m, DataType.FLOAT32);
                        assertArrayEquals(copy.toByteArray(), e.getValue().toByteArray(), file + " " + e.getKey());
                    }
                }
            }
        }
    }

    private static void assertSameParameters(Path file, Module expected, Module actual) {
        Map<String, NDArray> a = actual.parameters();
        expected.parameters().forEach((name, w) -> {
            assertEquals(w.getShape(), a.get(name).getShape(), file + " " + name);
            assertTrue(Arrays.equals(w.toByteArray(), a.get(name).toByteArray()), file + " " + name);
        });
    }

    /** Whether this process maps {@code file} (Linux's {@code /proc/self/maps} names mapped files). */
    private static boolean mapped(Path file) {
        try {
            String real = file.toRealPath().toString();
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.endsWith(" " + real));
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/maps", e);
        }
    }
}
