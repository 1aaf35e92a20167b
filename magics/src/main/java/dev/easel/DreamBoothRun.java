package dev.easel;

import dev.easel.engine.dreambooth.DreamBoothTrainer;
import dev.easel.engine.train.CheckpointStore;
import java.nio.file.Path;
import java.util.List;
import tech.tablesaw.api.Table;

/**
 * A DreamBooth run's handle: the trained model (usable even after an interrupt), the loss history as a Tablesaw
 * table, the checkpoints, and what was written (the model folder, or the LoRA file).
 */
public final class DreamBoothRun {

    private final DreamBoothTrainer.Run run;
    private final Model model;
    private final boolean lora;

    DreamBoothRun(DreamBoothTrainer.Run run, Model model, boolean lora) {
        this.run = run;
        this.model = model;
        this.lora = lora;
    }

    /** The trained pipeline as a model: {@code run.model().txt2img("a photo of sks dog").run()}. */
    public Model model() {
        return model;
    }

    /** step, loss, learning_rate, grad_norm, seconds — one row per optimizer step. */
    public Table losses() {
        return run.log() == null ? Table.create("loss") : run.log().table("DreamBooth loss");
    }

    public List<Path> checkpoints() {
        return run.checkpoints().stream()
                .map(CheckpointStore.Checkpoint::folder)
                .toList();
    }

    /** The trained model's folder, or the LoRA file; null when the run was interrupted. */
    public Path output() {
        return run.model();
    }

    public boolean interrupted() {
        return run.result().interrupted();
    }

    public long steps() {
        return run.result().completedSteps();
    }

    public String summary() {
        String written = run.model() == null
                ? "resume from "
                        + (checkpoints().isEmpty()
                                ? "the start"
                                : checkpoints().get(checkpoints().size() - 1))
                : (lora ? "LoRA " : "model ") + run.model();
        return run.result().summary().replaceFirst(", checkpoint .*$", "") + "; " + written;
    }

    @Override
    public String toString() {
        return "DreamBoothRun[" + summary() + "]";
    }
}
