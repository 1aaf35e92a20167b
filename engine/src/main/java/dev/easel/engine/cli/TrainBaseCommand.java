package dev.easel.engine.cli;

import dev.easel.engine.defaultmodel.DefaultModelRecipe;
import dev.easel.engine.defaultmodel.DefaultModelTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code train-base}: trains Easel's default model from scratch (shapes dataset → BPE vocabulary → autoencoder →
 * text encoder + UNet) into a run folder. Ctrl-C writes a checkpoint and stops; running the same command again with
 * {@code --resume} continues exactly where it stopped.
 */
public final class TrainBaseCommand extends EngineCommand {

    private static final String USAGE = "usage: train-base --out DIR [--resume] [--seed N] [--vae-steps N]"
            + " [--denoiser-steps N] [--recipe standard|tiny]";

    @Override
    public String name() {
        return "train-base";
    }

    @Override
    public String summary() {
        return "train the default model from scratch on the generated shapes dataset (resumable)";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Override
    protected int execute(List<String> argv) throws IOException {
        List<String> options = argv.stream().filter(a -> !a.equals("--resume")).toList();
        Args a = new Args(options, Set.of("out", "seed", "vae-steps", "denoiser-steps", "recipe"));
        Path out = Path.of(a.required("out"));
        boolean resume = argv.contains("--resume");
        if (!resume && Files.isDirectory(out)) {
            try (var entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new UsageException(
                            out + " already holds a run; pass --resume to continue it or choose" + " another --out");
                }
            }
        }
        String recipeName = a.string("recipe", "standard");
        DefaultModelRecipe recipe = switch (recipeName) {
            case "standard" -> DefaultModelRecipe.standard();
            case "tiny" -> DefaultModelRecipe.tiny();
            default -> throw new UsageException("--recipe must be standard or tiny");
        };
        recipe = recipe.withBudget(
                a.longValue("seed", recipe.seed()),
                a.integer("vae-steps", recipe.vaeSteps()),
                a.integer("denoiser-steps", recipe.denoiserSteps()));
        try (GracefulStop stop = new GracefulStop()) {
            return train(recipe, out, options, argv, recipeName, stop);
        }
    }

    private static int train(
            DefaultModelRecipe recipe,
            Path out,
            List<String> options,
            List<String> argv,
            String recipeName,
            GracefulStop stop) {
        TrainingProgressLine line = new TrainingProgressLine(System.out);
        DefaultModelTrainer trainer = new DefaultModelTrainer(recipe, out, line, stop::requested);
        System.out.println(
                "training the default model in " + out + " (recipe " + recipeName + ", seed " + recipe.seed() + ")");
        Path model = trainer.train("java -jar easel.jar train-base " + String.join(" ", argv));
        line.done();
        trainer.report().forEach(System.out::println);
        if (model == null) {
            System.out.println(
                    "stopped; continue with: java -jar easel.jar train-base --resume " + String.join(" ", options));
            return 130;
        }
        System.out.println("model written to " + model);
        return 0;
    }
}
