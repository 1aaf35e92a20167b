package dev.easel.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.nn.ScalarOps;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.torch.Randomness;
import dev.easel.engine.weights.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one training loop of Easel: the default model's two stages and DreamBooth all run through it.
 *
 * <p>Each optimizer step: for every micro-batch, reseed the generator from (seed, step, micro), compute the
 * objective's loss in its own memory scope and back-propagate it (scaled by 1/accumulation); then clip the global
 * gradient norm, apply AdamW at the scheduled rate with gradient recording off, zero the gradients, log, and every
 * {@code checkpointEvery} steps write a checkpoint. Because the random state is a function of (seed, step), a run
 * resumed from a checkpoint draws exactly the numbers an uninterrupted run would have drawn.
 *
 * <p>Interruption (a thread interrupt or the cancel callback) is honoured between steps: a checkpoint is written and
 * the run returns normally, so the caller — a notebook cell — keeps a usable model.
 */
public final class TrainingLoop {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String WEIGHTS = "trainable.safetensors";
    /** Non-finite steps in a row after which the run is declared diverged rather than skipped past. */
    static final int MAX_SKIPPED_IN_A_ROW = 10;
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String EXTRA = "extra.safetensors";

    private final TrainingSettings settings;
    private final TrainingListener listener;
    private final BooleanSupplier cancel;

    public TrainingLoop(TrainingSettings settings, TrainingListener listener, BooleanSupplier cancel) {
        this.settings = settings;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.cancel = cancel == null ? () -> false : cancel;
    }

    /**
     * Runs (or, given a checkpoint or run folder, resumes) training until {@code maxSteps} or an interrupt.
     *
     * @throws IllegalArgumentException one line when {@code resumeFrom} is not a checkpoint of this model
     */
    public TrainingResult run(TrainingObjective objective, Path resumeFrom) {
        Map<String, NDArray> parameters = objective.trainableParameters();
        CheckpointStore store = new CheckpointStore(settings.folder(), settings.keepCheckpoints());
        NDManager manager = NDManager.newBaseManager();
        boolean gradMode = LibTorch.gradMode();
        try (manager; AdamW optimizer = new AdamW(settings.adam(), manager)) {
            long step = 0;
            CheckpointStore.Checkpoint last = null;
            LossScaler scaler = settings.lossScaling() ? new LossScaler() : null;
            if (resumeFrom == null) {
                store.requireNoEarlierRun();
            } else {
                last = CheckpointStore.openToResume(resumeFrom);
                restore(last, objective, optimizer, manager);
                step = last.step();
                if (scaler != null && last.manifest().get("loss_scale") instanceof Map<?, ?> state) {
                    scaler = LossScaler.fromState(state);
                }
            }
            parameters.values().forEach(p -> p.setRequiresGradient(true));
            listener.onStart(settings.folder().getFileName().toString(), step, settings.maxSteps());
            long sessionStart = System.nanoTime();
            long firstStep = step;
            double lastLoss = Double.NaN;
            long skipped = 0;
            int skippedInARow = 0;
            try (TrainingLog log = TrainingLog.open(settings.folder(), "loss", step)) {
                while (step < settings.maxSteps()) {
                    if (Thread.currentThread().isInterrupted() || cancel.getAsBoolean()) {
                        // Clear the flag first: file channels refuse to write on an interrupted thread.
                        Thread.interrupted();
                        if (last == null || last.step() != step) {
                            last = save(store, step, objective, optimizer, scaler);
                        }
                        return result(step, true, lastLoss, step - firstStep, sessionStart, last, skipped);
                    }
                    long started = System.nanoTime();
                    lastLoss = accumulateGradients(objective, step, manager, scaler == null ? 1 : scaler.scale());
                    double gradNorm;
                    double lr = settings.learningRate() * settings.schedule().factor(step);
                    try (NDManager scope = manager.newSubManager()) {
                        Map<String, NDArray> gradients = gradients(parameters, scope);
                        LibTorch.setGradMode(false);
                        if (scaler != null) {
                            double unscale = 1.0 / scaler.scale(); // unscale before clipping, as GradScaler.unscale_
                            gradients.values().forEach(g -> g.muli(unscale));
                        }
                        gradNorm = GradientClipping.globalNorm(gradients.values());
                        if (scaler == null && !Double.isFinite(gradNorm) && Double.isFinite(lastLoss)) {
                            // A finite loss whose backward pass gives non-finite gradients. Seen in about one
                            // train-base step in a thousand while constants of the forward pass were made by DJL's
                            // mul(Number), whose memory a garbage collection frees under autograd (see ScalarOps);
                            // kept as the safety net for any such op still unfound. The step's data and noise are a
                            // function of (seed, step), so computing it once more gives what the step should have
                            // given, and the run stays the same as one without the fault. Only if it repeats is the
                            // step skipped below.
                            String where = nonFinite(gradients);
                            parameters.values().forEach(p -> LibTorch.zeroGrad(p));
                            lastLoss = accumulateGradients(objective, step, manager, 1);
                            gradients = gradients(parameters, scope);
                            gradNorm = GradientClipping.globalNorm(gradients.values());
                            System.err.printf("easel: step %d: non-finite gradients for a finite loss (%s); computed"
                                    + " again: gradient norm %.4g%n", step + 1, where, gradNorm);
                        }
                        GradientClipping.clip(gradients.values(), gradNorm, settings.maxGradNorm());
                        listener.onGradients(step + 1, gradients, gradNorm);
                        if (Double.isFinite(gradNorm) && Double.isFinite(lastLoss)) {
                            optimizer.update(parameters, gradients, lr);
                            skippedInARow = 0;
                        } else {
                            // A non-finite backward pass would turn every weight into NaN — and the next checkpoints
                            // with it. Like mixed precision's loss scaler, skip the update; the row's NaN grad norm in
                            // the log shows it. Under loss scaling an overflow with a finite loss is routine (the
                            // scale backs off) and no sign of divergence.
                            skipped++;
                            if (scaler == null || !Double.isFinite(lastLoss)) {
                                skippedInARow++;
                            }
                        }
                        if (scaler != null) {
                            scaler.update(Double.isFinite(gradNorm));
                        }
                        parameters.values().forEach(p -> LibTorch.zeroGrad(p));
                    } finally {
                        LibTorch.setGradMode(gradMode);
                    }
                    step++;
                    objective.afterStep(step);
                    TrainingLog.Row row = new TrainingLog.Row(step, lastLoss, lr, gradNorm,
                            (System.nanoTime() - started) / 1e9);
                    log.append(row);
                    listener.onStep(row, settings.maxSteps(), log);
                    if (skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
                        throw new IllegalStateException("training diverged: the last " + skippedInARow + " steps (to"
                                + " step " + step + ") had a non-finite loss or gradient and changed nothing; lower the"
                                + " learning rate" + (last == null ? "" : ", or resume from " + last.folder()));
                    }
                    if (step % settings.checkpointEvery() == 0 || step == settings.maxSteps()) {
                        last = save(store, step, objective, optimizer, scaler);
                        listener.onCheckpoint(last);
                    }
                }
            }
            return result(step, false, lastLoss, step - firstStep, sessionStart, last, skipped);
        } finally {
            parameters.values().forEach(p -> p.setRequiresGradient(false));
            LibTorch.setGradMode(gradMode);
        }
    }

    /** Forward and backward over the step's micro-batches (loss × {@code lossScale}); returns their mean loss. */
    private double accumulateGradients(TrainingObjective objective, long step, NDManager manager, double lossScale) {
        double lossSum = 0;
        int micros = settings.gradientAccumulation();
        for (int micro = 0; micro < micros; micro++) {
            // the step's noise is a function of (seed, step): no other thread may seed or draw until it is drawn
            try (Randomness.Held generator = Randomness.seeded(seedFor(settings.seed(), step, micro));
                 NDManager scope = manager.newSubManager()) {
                LibTorch.setGradMode(true);
                NDArray loss = objective.loss(scope, step, micro);
                NDArray scaled = micros == 1 ? loss : ScalarOps.div(loss, micros);
                if (lossScale != 1) {
                    scaled = ScalarOps.mul(scaled, lossScale);
                }
                LibTorch.backward(scaled, scope.ones(scaled.getShape(), scaled.getDataType(), scaled.getDevice()),
                        false, false);
                lossSum += loss.toType(DataType.FLOAT64, false).getDouble();
            } finally {
                LibTorch.setGradMode(false);
            }
        }
        return lossSum / micros;
    }

    /** The random seed of one micro-batch: distinct for every (seed, step, micro), the same on every run. */
    static long seedFor(long seed, long step, int micro) {
        long h = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + micro * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return h & 0x7FFFFFFFFFFFL; // libtorch seeds are taken as unsigned; keep them positive and readable
    }

    /**
     * Which gradients hold a NaN or an infinity, for the log line: how many, how many in each top-level module
     * ({@code text_encoder}, {@code unet}), and the first few names.
     */
    private static String nonFinite(Map<String, NDArray> gradients) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> perModule = new LinkedHashMap<>();
        gradients.forEach((name, gradient) -> {
            double norm = GradientClipping.globalNorm(List.of(gradient));
            if (!Double.isFinite(norm)) {
                names.add(name + " " + norm);
                perModule.merge(name.split("\\.", 2)[0], 1, Integer::sum);
            }
        });
        if (names.isEmpty()) {
            return "each gradient finite on its own, their global norm not";
        }
        StringBuilder modules = new StringBuilder();
        perModule.forEach((module, count) -> modules.append(modules.length() == 0 ? "" : ", ")
                .append(module).append(' ').append(count));
        return names.size() + " of " + gradients.size() + " tensors, " + modules + ": "
                + String.join(", ", names.subList(0, Math.min(3, names.size()))) + (names.size() > 3 ? ", …" : "");
    }

    private static Map<String, NDArray> gradients(Map<String, NDArray> parameters, NDManager scope) {
        Map<String, NDArray> gradients = new LinkedHashMap<>();
        parameters.forEach((name, parameter) -> {
            NDArray gradient = parameter.getGradient();
            gradient.attach(scope);
            gradients.put(name, gradient);
        });
        return gradients;
    }

    private CheckpointStore.Checkpoint save(CheckpointStore store, long step, TrainingObjective objective,
                                            AdamW optimizer, LossScaler scaler) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("identity", objective.identity());
        manifest.put("seed", settings.seed());
        manifest.put("random_state", "reseeded per micro-batch from (seed, step, micro); nothing else to restore");
        manifest.put("data_order", "examples are a function of (seed, step, micro); resumes at the saved step");
        manifest.put("lr_scheduler", Map.of("kind", settings.schedule().kind().id(),
                "warmup_steps", settings.schedule().warmupSteps(), "total_steps", settings.schedule().totalSteps(),
                "last_factor", settings.schedule().factor(step)));
        manifest.put("optimizer_step", optimizer.step());
        if (scaler != null) {
            manifest.put("loss_scale", scaler.state());
        }
        return store.save(step, manifest, folder -> {
            SafeTensors.write(objective.trainableParameters(), Map.of("format", "pt"), folder.resolve(WEIGHTS));
            SafeTensors.write(optimizer.state(), Map.of("format", "pt"), folder.resolve(OPTIMIZER));
            Map<String, NDArray> extra = objective.extraState();
            if (!extra.isEmpty()) {
                SafeTensors.write(extra, Map.of("format", "pt"), folder.resolve(EXTRA));
            }
        });
    }

    /** The identity as it reads back from a manifest (a long 7 reads back as an int 7; the trees must match). */
    private static JsonNode asWritten(Map<String, Object> identity) {
        try {
            return JSON.readTree(JSON.writeValueAsBytes(identity));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void restore(CheckpointStore.Checkpoint checkpoint, TrainingObjective objective, AdamW optimizer,
                                NDManager manager) {
        Object saved = checkpoint.manifest().get("identity");
        Map<String, Object> expected = objective.identity();
        if (!asWritten(expected).equals(JSON.valueToTree(saved))) {
            throw new IllegalArgumentException(checkpoint.folder() + " belongs to another model or run " + saved
                    + "; resume with a checkpoint of this run, or start a new one");
        }
        Path folder = checkpoint.folder();
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> weights = read(folder.resolve(WEIGHTS), scope);
            boolean gradMode = LibTorch.gradMode();
            LibTorch.setGradMode(false);
            try {
                objective.trainableParameters().forEach((name, parameter) -> {
                    NDArray value = weights.get(name);
                    if (value == null) {
                        throw new IllegalArgumentException(folder.resolve(WEIGHTS) + " has no " + name
                                + "; the checkpoint is incomplete or from another model");
                    }
                    value.copyTo(parameter);
                });
            } finally {
                LibTorch.setGradMode(gradMode);
            }
            Object optimizerStep = checkpoint.manifest().get("optimizer_step");
            optimizer.restore(read(folder.resolve(OPTIMIZER), scope),
                    optimizerStep instanceof Number n ? n.longValue() : checkpoint.step());
            if (Files.isRegularFile(folder.resolve(EXTRA))) {
                objective.restoreExtraState(read(folder.resolve(EXTRA), scope));
            }
        }
    }

    private static Map<String, NDArray> read(Path file, NDManager scope) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is missing; the checkpoint is incomplete, resume from another");
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (SafeTensors f = SafeTensors.open(file)) {
            for (String key : f.keys()) {
                tensors.put(key, f.read(key, scope, DataType.FLOAT32));
            }
        }
        return tensors;
    }

    private TrainingResult result(long step, boolean interrupted, double lastLoss, long stepsThisSession,
                                  long sessionStart, CheckpointStore.Checkpoint last, long skipped) {
        double seconds = (System.nanoTime() - sessionStart) / 1e9;
        return new TrainingResult(step, stepsThisSession, interrupted, lastLoss,
                seconds > 0 ? stepsThisSession / seconds : 0, peakRss(), last, skipped);
    }

    /** VmHWM from /proc/self/status, in bytes; 0 where the file doesn't exist. */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    List<String> parts = new ArrayList<>(List.of(line.split("\\s+")));
                    return Long.parseLong(parts.get(1)) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
