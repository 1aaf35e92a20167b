package dev.easel.engine.cli;

import dev.easel.engine.defaultmodel.DefaultModelRecipe;
import dev.easel.engine.defaultmodel.DefaultModelTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code train-base}: trains Easel's default model from scratch (shapes dataset → BPE vocabulary → autoencoder →
 * text encoder + UNet) into a run folder. Ctrl-C writes a checkpoint and stops; running the same command again with
 * {@code --resume} continues exactly where it stopped.
 */
public final class TrainBaseCommand implements Subcommand {

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
    public int run(List<String> argv) {
        Cli.quietLogs();
        if (argv.contains("--help") || argv.contains("-h")) {
            System.out.println(USAGE);
            return 0;
        }
        try {
            List<String> options = argv.stream().filter(a -> !a.equals("--resume")).toList();
            Args a = new Args(options, Set.of("out", "seed", "vae-steps", "denoiser-steps", "recipe"));
            Path out = Path.of(a.required("out"));
            boolean resume = argv.contains("--resume");
            if (!resume && Files.isDirectory(out) && Files.list(out).findAny().isPresent()) {
                throw new UsageException(out + " already holds a run; pass --resume to continue it or choose another"
                        + " --out");
            }
            DefaultModelRecipe recipe = switch (a.string("recipe", "standard")) {
                case "standard" -> DefaultModelRecipe.standard();
                case "tiny" -> DefaultModelRecipe.tiny();
                default -> throw new UsageException("--recipe must be standard or tiny");
            };
            recipe = recipe.withBudget(a.longValue("seed", recipe.seed()), a.integer("vae-steps", recipe.vaeSteps()),
                    a.integer("denoiser-steps", recipe.denoiserSteps()));

            TrainingProgressLine line = new TrainingProgressLine(System.out);
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.set(true);
                try {
                    finished.await(120, TimeUnit.SECONDS); // let the loop write its checkpoint before the JVM exits
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return train(recipe, out, options, argv, a.string("recipe", "standard"), stop, line);
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook is running and now lets the JVM exit
                }
            }
        } catch (UsageException e) {
            System.err.println("train-base: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        } catch (RuntimeException | java.io.IOException e) {
            System.err.println("train-base: " + Cli.firstLine(e.getMessage()));
            return 1;
        }
    }

    private static int train(DefaultModelRecipe recipe, Path out, List<String> options, List<String> argv,
                             String recipeName, AtomicBoolean stop, TrainingProgressLine line) {
        DefaultModelTrainer trainer = new DefaultModelTrainer(recipe, out, line, stop::get);
        System.out.println("training the default model in " + out + " (recipe " + recipeName
                + ", seed " + recipe.seed() + ")");
        Path model = trainer.train("java -jar easel.jar train-base " + String.join(" ", argv));
        line.done();
        trainer.report().forEach(System.out::println);
        if (model == null) {
            System.out.println("stopped; continue with: java -jar easel.jar train-base --resume "
                    + String.join(" ", options));
            return 130;
        }
        System.out.println("model written to " + model);
        return 0;
    }
}
