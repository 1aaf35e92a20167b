package dev.easel.engine.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.weights.PickleBuilder;
import dev.easel.engine.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedding whose vectors are the token-embedding rows of "red circle" must make "a TOKEN" encode exactly as
 * "a red circle": the new ids pick the appended rows at the same positions, which is what diffusers'
 * {@code load_textual_inversion} (new tokens, resized embedding table) computes.
 */
class EmbeddingsTest {

    @TempDir
    static Path folder;

    static StableDiffusionPipeline pipe;
    static NDManager m;
    static NDArray redCircle;

    @BeforeAll
    static void load() {
        pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
        m = NDManager.newBaseManager();
        long[] ids = pipe.tokenizer().encodeFull("red circle");
        long[] inner = Arrays.copyOfRange(ids, 1, ids.length - 1);
        NDArray table = pipe.textEncoder().tokenEmbedding().parameters().get("weight");
        redCircle = table.get(m.create(inner));
        redCircle.attach(m);
    }

    @AfterAll
    static void close() {
        m.close();
        pipe.close();
    }

    private static float[] encode(String prompt) {
        try (NDManager s = m.newSubManager()) {
            return pipe.encodeText(s, List.of(prompt), 0).toFloatArray();
        }
    }

    @Test
    void a1111AndDiffusersFilesEncodeAsTheWordsTheirVectorsCameFrom() {
        float[] words = encode("a red circle");
        float[] plain = encode("a rcircle");
        Path a1111 = folder.resolve("rcircle.safetensors");
        SafeTensors.write(Map.of("emb_params", redCircle), Map.of(), a1111);
        assertEquals("rcircle", pipe.embeddings().load(a1111, null), "A1111: the token is the file name");
        assertEquals(
                Map.of("rcircle", (int) redCircle.getShape().get(0)),
                pipe.embeddings().tokens());
        assertTrue(pipe.tokenizer().hasToken("rcircle_1"), "multi-vector: token, token_1, … as diffusers");
        assertArrayEquals(words, encode("a rcircle"), 0f);
        pipe.embeddings().unload("rcircle");
        assertArrayEquals(plain, encode("a rcircle"), 0f, "unloaded: as before");
        assertEquals(
                pipe.textEncoder().tokenEmbedding().num,
                pipe.textEncoder().tokenEmbedding().rows());

        // diffusers' learned_embeds: the key is the token; a single vector [hidden]
        Path learned = folder.resolve("learned_embeds.safetensors");
        SafeTensors.write(Map.of("<red>", redCircle.get(0)), Map.of(), learned);
        assertEquals("<red>", pipe.embeddings().load(learned, null));
        long[] red = pipe.tokenizer().encodeFull("red");
        assertEquals(3, red.length, "the test needs 'red' to be one token");
        float[] redWords = encode("a red circle");
        assertArrayEquals(redWords, encode("a <red> circle"), 0f);
        pipe.embeddings().unload("<red>");
    }

    @Test
    void badFilesLeaveTheModelAsItWas() throws Exception {
        float[] before = encode("a star");
        Path wide = folder.resolve("wide.safetensors");
        SafeTensors.write(Map.of("emb_params", m.ones(new Shape(2, 768))), Map.of(), wide);
        var e = assertThrows(EngineException.class, () -> pipe.embeddings().load(wide, "star"));
        assertTrue(e.getMessage().contains("768 wide and this model's text encoder is 32 wide"), e.getMessage());

        Path ok = folder.resolve("ok.safetensors");
        SafeTensors.write(Map.of("emb_params", redCircle), Map.of(), ok);
        pipe.embeddings().load(ok, "star");
        e = assertThrows(EngineException.class, () -> pipe.embeddings().load(ok, "star"));
        assertTrue(e.getMessage().contains("the token 'star' is already in the tokenizer"), e.getMessage());
        pipe.embeddings().unload("star");
        e = assertThrows(EngineException.class, () -> pipe.embeddings().load(ok, "<|endoftext|>"));
        assertTrue(e.getMessage().contains("already in the tokenizer"), e.getMessage());

        Path sdxl = folder.resolve("xl.safetensors");
        SafeTensors.write(
                Map.of("clip_l", m.ones(new Shape(1, 768)), "clip_g", m.ones(new Shape(1, 1280))), Map.of(), sdxl);
        e = assertThrows(EngineException.class, () -> pipe.embeddings().load(sdxl, null));
        assertTrue(e.getMessage().contains("an SDXL embedding"), e.getMessage());

        Path text = folder.resolve("notes.safetensors");
        Files.writeString(text, "hello");
        e = assertThrows(EngineException.class, () -> pipe.embeddings().load(text, null));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());

        assertEquals(Map.of(), pipe.embeddings().tokens());
        assertEquals(
                pipe.textEncoder().tokenEmbedding().num,
                pipe.textEncoder().tokenEmbedding().rows());
        assertArrayEquals(before, encode("a star"), 0f);
    }

    static Path a1111Pt(Path file, NDArray vectors, boolean parameter, Consumer<PickleBuilder> step) throws Exception {
        return PickleBuilder.a1111Embedding(
                file, vectors.toFloatArray(), vectors.getShape().getShape(), parameter, step);
    }

    @Test
    void a1111PtFilesGiveWhatTheirSafetensorsVersionGives() throws Exception {
        Path st = folder.resolve("pt-rc.safetensors");
        SafeTensors.write(Map.of("emb_params", redCircle), Map.of(), st);
        Path tensor = a1111Pt(folder.resolve("rcircle.pt"), redCircle, false, p -> p.integer(1500));
        Path parameter = a1111Pt(folder.resolve("rc-param.pt"), redCircle, true, p -> p.integer(1500));
        try (NDManager s = m.newSubManager()) {
            float[] expected = TextualInversion.read(st, null, s).vectors().toFloatArray();
            for (Path pt : List.of(tensor, parameter)) {
                TextualInversion ti = TextualInversion.read(pt, null, s);
                assertEquals(redCircle.getShape(), ti.vectors().getShape(), pt.toString());
                assertArrayEquals(expected, ti.vectors().toFloatArray(), 0f, pt.toString());
            }
        }
        float[] words = encode("a red circle");
        assertEquals("rcircle", pipe.embeddings().load(tensor, null), "the token is the file name, as A1111");
        assertArrayEquals(words, encode("a rcircle"), 0f);
        pipe.embeddings().unload("rcircle");
        assertEquals("rcp", pipe.embeddings().load(parameter, "rcp"));
        assertArrayEquals(words, encode("a rcp"), 0f);
        pipe.embeddings().unload("rcp");

        // single vector; and diffusers' learned_embeds.bin, a pickled {token: [hidden]}
        Path one = a1111Pt(folder.resolve("redone.pt"), redCircle.get("0:1"), false, p -> p.integer(7));
        assertEquals(1, TextualInversion.read(one, null, m).count());
        PickleBuilder bin = new PickleBuilder().op('}', '(').str("<red>");
        bin.tensor("FloatStorage", "0", 32, 0, new long[] {32}, new long[] {1}).op('u', '.');
        Path learned = PickleBuilder.checkpoint(
                Files.createDirectories(folder.resolve("bin")).resolve("learned_embeds.bin"),
                bin.bytes(),
                Map.of("0", PickleBuilder.floats(redCircle.get(0).toFloatArray())));
        assertEquals("<red>", pipe.embeddings().load(learned, null));
        assertArrayEquals(encode("a red circle"), encode("a <red> circle"), 0f);
        pipe.embeddings().unload("<red>");
    }

    @Test
    void aPtThatIsNoEmbeddingOrNamesARefusedGlobalLeavesTheModelAsItWas() throws Exception {
        float[] before = encode("a star");
        Map<Path, String> refused = new java.util.LinkedHashMap<>();
        // a model checkpoint saved as .pt
        refused.put(
                Files.copy(Reference.root().resolve("formats/tiny-sd.ckpt"), folder.resolve("model.pt")),
                "a Stable Diffusion model checkpoint (512 tensors), not a textual-inversion embedding; load it as a"
                        + " model");
        // some other tensors
        PickleBuilder two = new PickleBuilder().op('}', '(').str("a");
        two.tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).str("b");
        two.tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).op('u', '.');
        refused.put(
                PickleBuilder.checkpoint(folder.resolve("two.pt"), two.bytes(), Map.of("0", PickleBuilder.floats(1))),
                "not a textual-inversion embedding (2 tensors and no emb_params or" + " string_to_param");
        // the step as a numpy integer: unpickling it calls numpy.core.multiarray.scalar, which is no tensor
        refused.put(
                a1111Pt(
                        folder.resolve("numpy-step.pt"),
                        redCircle,
                        false,
                        p -> p.global("numpy.core.multiarray", "scalar")
                                .global("numpy", "dtype")
                                .str("i8")
                                .op(0x89, 0x88, 0x87, 'R')
                                .str("x")
                                .op(0x86, 'R')),
                "refused to load global numpy.core.multiarray.scalar");
        // the original textual-inversion trainer's nn.ParameterDict, an object built by calling its class
        PickleBuilder module = new PickleBuilder()
                .op('}', '(')
                .str("string_to_param")
                .global("torch.nn.modules.container", "ParameterDict")
                .op(')', 0x81, '}', 'b', 'u', '.');
        refused.put(
                PickleBuilder.checkpoint(folder.resolve("module.pt"), module.bytes(), Map.of()),
                "refused to load global torch.nn.modules.container.ParameterDict");
        for (Map.Entry<Path, String> r : refused.entrySet()) {
            var e = assertThrows(EngineException.class, () -> pipe.embeddings().load(r.getKey(), "star"));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().startsWith(r.getKey().toString()), e.getMessage());
            assertTrue(e.getMessage().contains(r.getValue()), e.getMessage());
        }
        assertEquals(Map.of(), pipe.embeddings().tokens());
        assertFalse(pipe.tokenizer().hasToken("star"));
        assertEquals(
                pipe.textEncoder().tokenEmbedding().num,
                pipe.textEncoder().tokenEmbedding().rows());
        assertArrayEquals(before, encode("a star"), 0f);
    }

    @Test
    void anEmbeddingsFolderLoadsWhatAPromptNames() throws Exception {
        Path dir = Files.createDirectories(folder.resolve("embeddings"));
        SafeTensors.write(Map.of("emb_params", redCircle), Map.of(), dir.resolve("badhands.safetensors"));
        SafeTensors.write(Map.of("emb_params", redCircle), Map.of(), dir.resolve("unused.safetensors"));
        float[] words = encode("a red circle");
        assertEquals(List.of("badhands"), pipe.embeddings().loadUsed(dir, List.of("a cat", "ugly, badhands")));
        assertFalse(pipe.embeddings().tokens().containsKey("unused"));
        assertEquals(List.of(), pipe.embeddings().loadUsed(dir, List.of("badhands")), "loaded once");
        assertArrayEquals(words, encode("a badhands"), 0f);
        pipe.embeddings().unload("badhands");
    }
}
