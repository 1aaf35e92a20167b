package dev.easel.engine.defaultmodel;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.Init;
import dev.easel.engine.pipeline.GenerationDefaults;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.shapes.ShapesDataset;
import dev.easel.engine.tokenizer.BpeTrainer;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.torch.Randomness;
import dev.easel.engine.train.AdamW;
import dev.easel.engine.train.CheckpointStore;
import dev.easel.engine.train.DenoisingLoss;
import dev.easel.engine.train.LearningRateSchedule;
import dev.easel.engine.train.TrainingListener;
import dev.easel.engine.train.TrainingLoop;
import dev.easel.engine.train.TrainingObjective;
import dev.easel.engine.train.TrainingResult;
import dev.easel.engine.train.TrainingSettings;
import dev.easel.engine.weights.DiffusersWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Trains the default model from nothing, in the run folder given: a BPE vocabulary from the captions, stage 1 the
 * autoencoder, then stage 2 the text encoder and UNet on latents of the trained autoencoder; finally the model (UNet
 * weights from their moving average) in diffusers layout under {@code RUN/model}. Every stage checkpoints into the
 * run folder, so calling it again on the same folder resumes exactly where it stopped.
 */
public final class DefaultModelTrainer {

    /** Where the finished model goes inside the run folder. */
    public static final String MODEL = "model";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Stage-2 examples come from this far into the dataset stream, away from stage 1's images. */
    private static final long LATENT_POOL_START = 1_000_000_000L;

    /** Recipe fields stage 1 never reads: the tokenizer's, the text encoder's and UNet's, and stage 2's settings. */
    private static final Set<String> DENOISER_ONLY = Set.of(
            "maxMerges",
            "textEncoderShape",
            "unet",
            "denoiserSteps",
            "denoiserBatch",
            "denoiserLearningRate",
            "latentPool",
            "captionDropout",
            "noiseOffset",
            "snrGamma",
            "predictionType",
            "zeroTerminalSnr",
            "emaDecay");

    private final DefaultModelRecipe recipe;
    private final Path run;
    private final TrainingListener listener;
    private final BooleanSupplier cancel;
    private final List<String> report = new ArrayList<>();

    public DefaultModelTrainer(DefaultModelRecipe recipe, Path run, TrainingListener listener, BooleanSupplier cancel) {
        this.recipe = recipe;
        this.run = run;
        this.listener = listener;
        this.cancel = cancel;
    }

    /** Runs (or resumes) every stage; returns the finished model's folder, or null when interrupted. */
    public Path train(String commandLine) {
        long started = System.nanoTime();
        ShapesDataset dataset = new ShapesDataset(recipe.seed(), recipe.imageSize());
        Path tokenizerFolder = run.resolve("tokenizer");
        if (!Files.isRegularFile(tokenizerFolder.resolve("merges.txt"))) {
            List<String> captions = new ArrayList<>();
            for (long i = 0; i < 20_000; i++) {
                captions.add(dataset.scene(i).caption());
            }
            BpeTrainer.train(captions, recipe.maxMerges()).write(tokenizerFolder);
        }
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerFolder);
        int vocabularySize = tokenizer.eosId() + 1;
        // Every random draw outside the loop (which seeds each step itself) starts from the recipe's seed, so the
        // same command makes the same model, and a resumed stage sees the latents the first session saw.
        try (Randomness.Held generator = Randomness.seeded(recipe.seed());
                NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = new AutoencoderKL(Init.random(manager), recipe.vae());
            Map<String, Object> vaeIdentity = identity("autoencoder");
            TrainingResult vaeResult = stage(
                    new AutoencoderObjective(vae, dataset, recipe.vaeBatch(), 1, recipe.klWeight(), vaeIdentity),
                    "autoencoder",
                    recipe.vaeSteps(),
                    recipe.vaeLearningRate());
            if (vaeResult.interrupted()) {
                return null;
            }
            report.add("stage 1 (autoencoder): " + vaeResult.summary());

            SchedulerConfig scheduler = recipe.noiseSchedule();
            listener.onStart("latents", 0, recipe.latentPool());
            generator.seed(recipe.seed() + 1);
            try (LatentCache latents = LatentCache.encode(
                    vae,
                    dataset,
                    LATENT_POOL_START,
                    recipe.latentPool(),
                    done -> listener.onProgress("latents", done, recipe.latentPool()))) {
                double scalingFactor = 1.0 / latents.latentStd();
                generator.seed(recipe.seed() + 2);
                ClipTextModel textEncoder = new ClipTextModel(Init.random(manager), recipe.textEncoder(vocabularySize));
                UNet2DConditionModel unet = new UNet2DConditionModel(Init.random(manager), recipe.unet());
                try (DenoiserObjective denoiser = new DenoiserObjective(
                        textEncoder,
                        unet,
                        tokenizer,
                        latents,
                        new DenoisingLoss(scheduler),
                        scalingFactor,
                        recipe.denoiserBatch(),
                        1,
                        recipe.captionDropout(),
                        recipe.noiseOffset(),
                        recipe.snrGamma(),
                        recipe.seed(),
                        recipe.emaDecay(),
                        manager,
                        identity("denoiser"))) {
                    TrainingResult unetResult =
                            stage(denoiser, "denoiser", recipe.denoiserSteps(), recipe.denoiserLearningRate());
                    if (unetResult.interrupted()) {
                        return null;
                    }
                    report.add("stage 2 (text encoder + UNet): " + unetResult.summary());
                    denoiser.emaWeights()
                            .forEach((name, average) ->
                                    average.copyTo(unet.parameters().get(name)));
                    Path model = run.resolve(MODEL);
                    DiffusersWriter.write(
                            model,
                            textEncoder,
                            unet,
                            vae,
                            recipe.vae(scalingFactor),
                            tokenizerFolder,
                            scheduler,
                            DataType.FLOAT16);
                    // The recipe's models draw best as they are evaluated (CFG 5, Euler); the model folder says so.
                    DefaultModelEvaluation.Settings evaluated = DefaultModelEvaluation.Settings.standard();
                    new GenerationDefaults(
                                    evaluated.steps(),
                                    evaluated.guidanceScale(),
                                    evaluated.sampler(),
                                    GenerationDefaults.STANDARD.strength())
                            .recordIn(model);
                    writeProvenance(model, commandLine, scalingFactor, (System.nanoTime() - started) / 1e9);
                    return model;
                }
            }
        }
    }

    /** One line per finished stage, for the command's summary. */
    public List<String> report() {
        return report;
    }

    private TrainingResult stage(TrainingObjective objective, String name, int steps, double learningRate) {
        Path folder = run.resolve(name);
        TrainingSettings settings = new TrainingSettings(
                steps,
                learningRate,
                new LearningRateSchedule(
                        LearningRateSchedule.Kind.COSINE, Math.min(recipe.warmupSteps(), steps / 10), steps),
                1,
                1.0,
                AdamW.Settings.DEFAULT,
                recipe.seed(),
                recipe.checkpointEvery(),
                2,
                folder);
        Path resume = new CheckpointStore(folder, 2)
                .latest()
                .map(CheckpointStore.Checkpoint::folder)
                .orElse(null);
        return new TrainingLoop(settings, listener, cancel).run(objective, resume);
    }

    /**
     * What a stage's checkpoints must match to be resumed. The autoencoder's leaves out the recipe fields only stage 2
     * reads, so a finished run resumed with a longer denoiser budget (or another UNet) keeps its autoencoder.
     */
    private Map<String, Object> identity(String stage) {
        Map<String, Object> recipeFields = recipeAsJson();
        if (stage.equals("autoencoder")) {
            recipeFields.keySet().removeAll(DENOISER_ONLY);
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("model", "easel-default");
        identity.put("stage", stage);
        identity.put("recipe", recipeFields);
        return identity;
    }

    /**
     * The recipe field by field. Not {@code toString()}: a record prints its arrays as identity hashes, which differ
     * from one JVM to the next, so a checkpoint would not be recognised as this run's after a restart.
     */
    private Map<String, Object> recipeAsJson() {
        return JSON.convertValue(recipe, new TypeReference<>() {});
    }

    private void writeProvenance(Path model, String commandLine, double scalingFactor, double seconds) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("command", commandLine);
        provenance.put("seed", recipe.seed());
        provenance.put("commit", gitCommit());
        provenance.put("recipe", recipeAsJson());
        provenance.put("vae_scaling_factor", scalingFactor);
        provenance.put("seconds_this_session", Math.round(seconds));
        provenance.put("stages", report);
        provenance.put(
                "held_out_combinations",
                ShapesDataset.HELD_OUT.stream().map(Object::toString).toList());
        try {
            JSON.writerWithDefaultPrettyPrinter()
                    .writeValue(model.resolve("easel_training.json").toFile(), provenance);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + model.resolve("easel_training.json"), e);
        }
    }

    private static String gitCommit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(git.getInputStream().readAllBytes()).strip();
            return git.waitFor() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
