package dev.easel.engine.sweep;

import dev.easel.engine.EngineException;
import dev.easel.engine.loading.DefaultModel;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.Configs;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.pipeline.SamplingSpeed;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Models for a sweep outside a notebook: {@code default} or a path, loaded when first asked for. Only one is kept
 * loaded — the sweep asks for each model once, outermost — so a sweep over several checkpoints needs the memory of one.
 */
public final class LoadingSweepModels implements SweepModels, AutoCloseable {

    private final LoadOptions options;
    private String loadedName;
    private StableDiffusionPipeline loaded;

    public LoadingSweepModels(LoadOptions options) {
        this.options = options;
    }

    @Override
    public void check(String model) {
        try {
            ModelLoader.check(path(model));
        } catch (EngineException e) {
            throw new AxisSyntaxException("model '" + model + "': " + e.getMessage());
        }
    }

    @Override
    public StableDiffusionPipeline pipeline(String model) {
        if (!model.equals(loadedName)) {
            close();
            loaded = ModelLoader.load(path(model), options);
            loadedName = model;
        }
        return loaded;
    }

    /**
     * The loaded model's speed; for a diffusers folder not loaded yet, its configs alone (a refused sweep loads
     * nothing); any other format is loaded, as the sweep would.
     */
    @Override
    public SamplingSpeed samplingSpeed(String model) {
        if (model.equals(loadedName)) {
            return loaded.samplingSpeed();
        }
        Optional<Path> folder = ModelLoader.diffusersFolder(path(model));
        if (folder.isEmpty()) {
            return pipeline(model).samplingSpeed();
        }
        UNet2DConditionModel.Config unet =
                Configs.read(folder.get().resolve("unet/config.json"), UNet2DConditionModel.Config::fromJson);
        AutoencoderKL.Config vae =
                Configs.read(folder.get().resolve("vae/config.json"), AutoencoderKL.Config::fromJson);
        return new SamplingSpeed(unet, 1 << (vae.blockOutChannels().length - 1), options.device());
    }

    private static Path path(String model) {
        return DefaultModel.isDefault(model) ? DefaultModel.path() : Path.of(model);
    }

    @Override
    public void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
            loadedName = null;
        }
    }
}
