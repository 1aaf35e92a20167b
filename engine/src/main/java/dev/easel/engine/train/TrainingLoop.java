package dev.easel.engine.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.easel.engine.nn.GradientCheckpointing;
import dev.easel.engine.nn.ScalarOps;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.torch.Randomness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one training loop of Easel: the default model's two stages and DreamBooth all run through it.
 *
 * <p>The loop itself only steps: for every micro-batch, reseed the generator from (seed, step, micro), compute the
 * objective's loss in its own memory scope and back-propagate it (scaled by 1/accumulation); then clip the global
 * gradient norm, apply AdamW at the scheduled rate with gradient recording off and zero the gradients. Everything
 * around it is a {@link StepListener}, as in DJL's {@code training/listener/}: the loss log ({@link LossLogger}),
 * the divergence check ({@link DivergenceCheck}), checkpoints ({@link CheckpointSaver}) and the memory report
 * ({@link MemoryReport}). Because the random state is a function of (seed, step), a run resumed from a checkpoint
 * draws exactly the numbers an uninterrupted run would have drawn.
 *
 * <p>Interruption (a thread interrupt or the cancel callback) is honoured between steps: a checkpoint is written and
 * the run returns normally, so the caller — a notebook cell — keeps a usable model.
 */
public final class TrainingLoop {

    /** The trainable weights' file in a checkpoint folder. */
    public static final String WEIGHTS = "trainable.safetensors";

    private static final System.Logger LOG = System.getLogger(TrainingLoop.class.getName());

    private final TrainingSettings settings;
    private final TrainingListener listener;
    private final BooleanSupplier cancel;
    private final boolean allowChangedSettings;

    public TrainingLoop(TrainingSettings settings, TrainingListener listener, BooleanSupplier cancel) {
        this(settings, listener, cancel, false);
    }

    /**
     * @param allowChangedSettings resume a checkpoint even when the seed, learning rate or schedule differ from the
     *                             ones it was trained with (the run is then no longer exact); otherwise refuse
     */
    public TrainingLoop(
            TrainingSettings settings,
            TrainingListener listener,
            BooleanSupplier cancel,
            boolean allowChangedSettings) {
        this.settings = settings;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.cancel = cancel == null ? () -> false : cancel;
        this.allowChangedSettings = allowChangedSettings;
    }

    /**
     * Runs (or, given a checkpoint or run folder, resumes) training until {@code maxSteps} or an interrupt.
     *
     * @throws dev.easel.engine.EngineException one line when {@code resumeFrom} is not a checkpoint of this model
     */
    public TrainingResult run(TrainingObjective objective, Path resumeFrom) {
        Map<String, NDArray> parameters = objective.trainableParameters();
        CheckpointStore store = new CheckpointStore(settings.folder(), settings.keepCheckpoints());
        // on the trained weights' device, not the engine's default one: a CPU run on a GPU machine would otherwise
        // make its noise, targets and optimizer scratch on the GPU beside weights on the CPU
        NDManager manager = NDManager.newBaseManager(deviceOf(parameters));
        boolean gradMode = LibTorch.gradMode();
        try (manager;
                AdamW optimizer = new AdamW(settings.adam(), manager)) {
            TrainingRun run = new TrainingRun(
                    settings, objective, optimizer, store, settings.lossScaling() ? new LossScaler() : null);
            // a kill -9 during a save or prune leaves hidden folders; they go before anything else is written
            store.removeLeftovers();
            if (resumeFrom == null) {
                store.requireNoEarlierRun();
            } else {
                CheckpointStore.Checkpoint checkpoint = CheckpointStore.openToResume(resumeFrom);
                new CheckpointStore(checkpoint.folder().getParent(), 1).removeLeftovers();
                ResumeCheck.require(checkpoint, settings, allowChangedSettings, LOG);
                CheckpointSaver.restore(checkpoint, run, manager);
            }
            parameters.values().forEach(p -> p.setRequiresGradient(true));
            listener.onStart(settings.folder().getFileName().toString(), run.step, settings.maxSteps());
            long sessionStart = System.nanoTime();
            long firstStep = run.step;
            double lastLoss = Double.NaN;
            long skipped = 0;
            MemoryReport memory = new MemoryReport();
            try (LossLogger log = new LossLogger(settings.folder(), run.step, listener)) {
                List<StepListener> listeners =
                        List.of(log, new DivergenceCheck(), new CheckpointSaver(listener), memory);
                listeners.forEach(l -> l.onRunStart(run));
                boolean interrupted = false;
                while (run.step < settings.maxSteps()) {
                    if (Thread.currentThread().isInterrupted() || cancel.getAsBoolean()) {
                        // Clear the flag first: file channels refuse to write on an interrupted thread.
                        Thread.interrupted();
                        interrupted = true;
                        break;
                    }
                    long started = System.nanoTime();
                    double lr = settings.learningRate() * settings.schedule().factor(run.step);
                    Step step = step(run, parameters, manager, lr, gradMode);
                    lastLoss = step.loss();
                    if (step.update() != TrainingRun.Update.APPLIED) {
                        skipped++;
                    }
                    run.step++;
                    objective.afterStep(run.step);
                    TrainingLog.Row row = new TrainingLog.Row(
                            run.step, step.loss(), lr, step.gradNorm(), (System.nanoTime() - started) / 1e9);
                    for (StepListener l : listeners) {
                        l.afterStep(run, row, step.update());
                    }
                }
                for (StepListener l : listeners) {
                    l.onRunEnd(run, interrupted);
                }
                double seconds = (System.nanoTime() - sessionStart) / 1e9;
                long sessionSteps = run.step - firstStep;
                return new TrainingResult(
                        run.step,
                        sessionSteps,
                        interrupted,
                        lastLoss,
                        seconds > 0 ? sessionSteps / seconds : 0,
                        memory.peakRssBytes(),
                        run.lastCheckpoint,
                        skipped);
            }
        } finally {
            parameters.values().forEach(p -> p.setRequiresGradient(false));
            LibTorch.setGradMode(gradMode);
        }
    }

    /** One optimizer step's loss (mean over micro-batches), gradient norm before clipping, and what was done. */
    private record Step(double loss, double gradNorm, TrainingRun.Update update) {}

    /**
     * Forward, backward, clip and update: one optimizer step. A non-finite backward pass would turn every weight
     * into NaN — and the next checkpoints with it — so, like mixed precision's loss scaler, such a step is skipped
     * (the row's NaN grad norm in the log shows it).
     */
    private Step step(
            TrainingRun run, Map<String, NDArray> parameters, NDManager manager, double lr, boolean gradMode) {
        TrainingObjective objective = run.objective;
        LossScaler scaler = run.scaler;
        long step = run.step;
        double loss = accumulateGradients(objective, step, manager, scaler == null ? 1 : scaler.scale());
        double gradNorm;
        TrainingRun.Update update;
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> gradients = gradients(parameters, scope);
            LibTorch.setGradMode(false);
            if (scaler != null) {
                double unscale = 1.0 / scaler.scale(); // unscale before clipping, as GradScaler.unscale_
                gradients.values().forEach(g -> g.muli(unscale));
            }
            gradNorm = GradientClipping.globalNorm(gradients.values());
            if (scaler == null && !Double.isFinite(gradNorm) && Double.isFinite(loss)) {
                // A finite loss whose backward pass gives non-finite gradients. Seen in about one train-base step in
                // a thousand while constants of the forward pass were made by DJL's mul(Number), whose memory a
                // garbage collection frees under autograd (see ScalarOps); kept as the safety net for any such op
                // still unfound. The step's data and noise are a function of (seed, step), so computing it once
                // more gives what the step should have given, and the run stays the same as one without the fault.
                // Only if it repeats is the step skipped below.
                String where = nonFinite(gradients);
                parameters.values().forEach(p -> LibTorch.zeroGrad(p));
                loss = accumulateGradients(objective, step, manager, 1);
                gradients = gradients(parameters, scope);
                gradNorm = GradientClipping.globalNorm(gradients.values());
                LOG.log(
                        System.Logger.Level.WARNING,
                        String.format(
                                "step %d: non-finite gradients for a finite loss"
                                        + " (%s); computed again: gradient norm %.4g",
                                step + 1, where, gradNorm));
            }
            GradientClipping.clip(gradients.values(), gradNorm, settings.maxGradNorm());
            listener.onGradients(step + 1, gradients, gradNorm);
            if (Double.isFinite(gradNorm) && Double.isFinite(loss)) {
                run.optimizer.update(parameters, gradients, lr);
                update = TrainingRun.Update.APPLIED;
            } else {
                // Under loss scaling an overflow with a finite loss is routine (the scale backs off), no divergence.
                update = scaler != null && Double.isFinite(loss)
                        ? TrainingRun.Update.SKIPPED_OVERFLOW
                        : TrainingRun.Update.SKIPPED_NON_FINITE;
            }
            if (scaler != null) {
                scaler.update(Double.isFinite(gradNorm));
            }
            parameters.values().forEach(p -> LibTorch.zeroGrad(p));
        } finally {
            LibTorch.setGradMode(gradMode); // as the caller had it
        }
        return new Step(loss, gradNorm, update);
    }

    /** Forward and backward over the step's micro-batches (loss × {@code lossScale}); returns their mean loss. */
    private double accumulateGradients(TrainingObjective objective, long step, NDManager manager, double lossScale) {
        double lossSum = 0;
        int micros = settings.gradientAccumulation();
        for (int micro = 0; micro < micros; micro++) {
            // the step's noise is a function of (seed, step): no other thread may seed or draw until it is drawn
            try (Randomness.Held generator = Randomness.seeded(seedFor(settings.seed(), step, micro));
                    NDManager scope = manager.newSubManager();
                    GradientCheckpointing checkpoints =
                            GradientCheckpointing.begin(scope, settings.gradientCheckpointing())) {
                LibTorch.setGradMode(true);
                NDArray loss = objective.loss(scope, step, micro);
                NDArray scaled = micros == 1 ? loss : ScalarOps.div(loss, micros);
                if (lossScale != 1) {
                    scaled = ScalarOps.mul(scaled, lossScale);
                }
                checkpoints.backward(scaled);
                lossSum += loss.toType(DataType.FLOAT64, false).getDouble();
            } finally {
                LibTorch.setGradMode(false);
            }
        }
        return lossSum / micros;
    }

    private static Device deviceOf(Map<String, NDArray> parameters) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("the training objective has no trainable parameters");
        }
        return parameters.values().iterator().next().getDevice();
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
                .append(module)
                .append(' ')
                .append(count));
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
}
