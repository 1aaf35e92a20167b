package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.BadValueException;
import dev.easel.engine.EngineException;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.weights.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a checkpoint every {@code checkpointEvery} steps, at the last step and when the run is interrupted (so an
 * interrupted notebook cell keeps its work), and reads one back to resume. A checkpoint holds the trainable
 * weights, the optimizer state, the objective's extra state and a manifest (identity, settings, schedule, loss
 * scale); the random state needs no saving because it is a function of (seed, step).
 */
final class CheckpointSaver implements StepListener {

    private static final String WEIGHTS = TrainingLoop.WEIGHTS;
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String EXTRA = "extra.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingListener listener;

    CheckpointSaver(TrainingListener listener) {
        this.listener = listener;
    }

    @Override
    public void afterStep(TrainingRun run, TrainingLog.Row row, TrainingRun.Update update) {
        if (run.step % run.settings.checkpointEvery() == 0 || run.step == run.settings.maxSteps()) {
            save(run);
            listener.onCheckpoint(run.lastCheckpoint);
        }
    }

    @Override
    public void onRunEnd(TrainingRun run, boolean interrupted) {
        if (run.lastCheckpoint == null || run.lastCheckpoint.step() != run.step) {
            save(run);
        }
    }

    private static void save(TrainingRun run) {
        TrainingSettings settings = run.settings;
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("identity", run.objective.identity());
        manifest.putAll(ResumeCheck.recorded(settings));
        manifest.put("random_state", "reseeded per micro-batch from (seed, step, micro); nothing else to restore");
        manifest.put("data_order", "examples are a function of (seed, step, micro); resumes at the saved step");
        manifest.put(
                "lr_scheduler",
                Map.of(
                        "kind",
                        settings.schedule().kind().id(),
                        "warmup_steps",
                        settings.schedule().warmupSteps(),
                        "total_steps",
                        settings.schedule().totalSteps(),
                        "last_factor",
                        settings.schedule().factor(run.step)));
        manifest.put("optimizer_step", run.optimizer.step());
        if (run.scaler != null) {
            manifest.put("loss_scale", run.scaler.state());
        }
        run.lastCheckpoint = run.store.save(run.step, manifest, folder -> {
            SafeTensors.write(run.objective.trainableParameters(), Map.of("format", "pt"), folder.resolve(WEIGHTS));
            SafeTensors.write(run.optimizer.state(), Map.of("format", "pt"), folder.resolve(OPTIMIZER));
            Map<String, NDArray> extra = run.objective.extraState();
            if (!extra.isEmpty()) {
                SafeTensors.write(extra, Map.of("format", "pt"), folder.resolve(EXTRA));
            }
        });
    }

    /**
     * Restores the weights, optimizer, loss scale and extra state of {@code checkpoint} into {@code run}.
     *
     * @throws EngineException one line when the checkpoint belongs to another model or is incomplete
     */
    static void restore(CheckpointStore.Checkpoint checkpoint, TrainingRun run, NDManager manager) {
        Object saved = checkpoint.manifest().get("identity");
        Map<String, Object> expected = run.objective.identity();
        if (!asWritten(expected).equals(JSON.valueToTree(saved))) {
            throw new BadValueException(checkpoint.folder() + " belongs to another model or run " + saved
                    + "; resume with a checkpoint of this run, or start a new one");
        }
        Path folder = checkpoint.folder();
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> weights = read(folder.resolve(WEIGHTS), scope);
            boolean gradMode = LibTorch.gradMode();
            LibTorch.setGradMode(false);
            try {
                run.objective.trainableParameters().forEach((name, parameter) -> {
                    NDArray value = weights.get(name);
                    if (value == null) {
                        throw new EngineException(folder.resolve(WEIGHTS) + " has no " + name
                                + "; the checkpoint is incomplete or from another model");
                    }
                    value.copyTo(parameter);
                });
            } finally {
                LibTorch.setGradMode(gradMode);
            }
            Object optimizerStep = checkpoint.manifest().get("optimizer_step");
            run.optimizer.restore(
                    read(folder.resolve(OPTIMIZER), scope),
                    optimizerStep instanceof Number n ? n.longValue() : checkpoint.step());
            if (Files.isRegularFile(folder.resolve(EXTRA))) {
                run.objective.restoreExtraState(read(folder.resolve(EXTRA), scope));
            }
        }
        if (run.scaler != null && checkpoint.manifest().get("loss_scale") instanceof Map<?, ?> state) {
            run.scaler = LossScaler.fromState(state);
        }
        run.step = checkpoint.step();
        run.lastCheckpoint = checkpoint;
    }

    /** The identity as it reads back from a manifest (a long 7 reads back as an int 7; the trees must match). */
    private static JsonNode asWritten(Map<String, Object> identity) {
        try {
            return JSON.readTree(JSON.writeValueAsBytes(identity));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, NDArray> read(Path file, NDManager scope) {
        if (!Files.isRegularFile(file)) {
            throw new EngineException(file + " is missing; the checkpoint is incomplete, resume from another");
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (SafeTensors f = SafeTensors.open(file)) {
            for (String key : f.keys()) {
                tensors.put(key, f.read(key, scope, DataType.FLOAT32));
            }
        }
        return tensors;
    }
}
