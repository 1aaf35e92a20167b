package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A config value of the wrong type or out of range fails the load with one line naming the file, the key, the value
 * and what is expected — the probe's inputs, which used to be read as 0 (blaming the weights file), to fail inside
 * the TorchScript interpreter, or to name no file.
 */
class ConfigValidationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}={2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "unet/config.json|block_out_channels|\"thirty-two\"|a positive whole number or a list of them",
                "unet/config.json|block_out_channels|[32, \"x\"]|a list of positive whole numbers",
                "unet/config.json|cross_attention_dim|0.5|a positive whole number",
                "unet/config.json|norm_num_groups|7|a divisor of every block_out_channels",
                "unet/config.json|layers_per_block|-1|a positive whole number",
                "unet/config.json|down_block_types|[\"DownBlock2D\"]|expected 2, one per entry of block_out_channels",
                "unet/config.json|attention_head_dim|[8, 8, 8]|expected 2, one per entry of block_out_channels",
                "unet/config.json|use_linear_projection|\"yes\"|true or false",
                "text_encoder/config.json|hidden_size|\"big\"|a positive whole number",
                "text_encoder/config.json|num_attention_heads|5|divides the hidden size",
                "text_encoder/config.json|hidden_act|\"relu\"|one of quick_gelu, gelu",
                "vae/config.json|latent_channels|0|a positive whole number",
                "vae/config.json|scaling_factor|\"0.18\"|a number greater than 0",
                "scheduler/scheduler_config.json|num_train_timesteps|-5|a positive whole number",
                "scheduler/scheduler_config.json|beta_schedule|\"cosine\"|one of scaled_linear, linear",
                "scheduler/scheduler_config.json|prediction_type|\"eps\"|one of epsilon, v_prediction, sample",
            })
    void aBadValueIsOneLineNamingFileKeyValueAndExpectation(String file, String key, String value, String expected)
            throws Exception {
        Path model = tmp.resolve("model");
        SingleFileTest.copyTree(Reference.model(), model);
        Path config = model.resolve(file);
        ObjectNode node = (ObjectNode) JSON.readTree(config.toFile());
        node.set(key, JSON.readTree(value));
        Files.writeString(config, JSON.writeValueAsString(node));

        EngineException e = assertThrows(
                EngineException.class,
                () -> ModelLoader.load(model, LoadOptions.cpu()).close());
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.startsWith(config.toString() + ": "), "names the file: " + message);
        assertTrue(message.contains(key), "names the key: " + message);
        assertTrue(message.contains(expected), "says what is expected (" + expected + "): " + message);
    }

    @ParameterizedTest(name = "model_index.json: {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{ not json|invalid JSON",
                "[1, 2]|not a JSON object",
                "{\"_class_name\": \"StableDiffusionXLPipeline\"}|Easel runs Stable Diffusion 1.x/2.x models",
            })
    void aMalformedModelIndexIsOneLine(String content, String expected) throws Exception {
        Path model = tmp.resolve("model");
        SingleFileTest.copyTree(Reference.model(), model);
        Files.writeString(model.resolve("model_index.json"), content);
        EngineException e = assertThrows(
                EngineException.class,
                () -> ModelLoader.load(model, LoadOptions.cpu()).close());
        assertTrue(e.getMessage().startsWith(model.resolve("model_index.json") + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void aModelIndexIsNotNeeded() throws Exception {
        Path model = tmp.resolve("model");
        SingleFileTest.copyTree(Reference.model(), model);
        Files.delete(model.resolve("model_index.json"));
        try (StableDiffusionPipeline pipeline = ModelLoader.load(model, LoadOptions.cpu())) {
            assertEquals(4, pipeline.unet().config.inChannels());
        }
    }
}
