package dev.easel.engine.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.FlopCounter;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.TorchOps;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.torch.LibTorch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code bench-engine}: prints ms per UNet step (batch 2) for the tiny reference model and a mid-sized random UNet,
 * their achieved GFLOP/s next to this machine's float32 matmul GFLOP/s through the same libtorch, a 20-step
 * txt2img time, and resident memory before/after many generations. Prints figures; asserts nothing.
 */
public final class BenchEngineCommand implements Subcommand {

    @Override
    public String name() {
        return "bench-engine";
    }

    @Override
    public String summary() {
        return "benchmark the engine: UNet ms/step, GFLOP/s vs matmul, txt2img time, memory over generations";
    }

    @Override
    public int run(List<String> argv) {
        Cli.quietLogs();
        try {
            if (argv.contains("--full")) {
                Args f = new Args(argv.stream().filter(x -> !x.equals("--full")).toList(), Set.of("models"));
                return FullSizeLoadBench.run(List.of(f.required("models").split(",")));
            }
            Args a = new Args(argv, Set.of("model", "iters", "generations", "gen-steps"));
            Path model = Path.of(a.string("model", "../shared/reference/tiny-sd"));
            int iters = a.integer("iters", 10);
            int generations = a.integer("generations", 100);
            int genSteps = a.integer("gen-steps", 20);
            Engine.getInstance(); // loads the natives
            LibTorch.setGradMode(false);
            say("attention: %s, group norm: %s, cores: %d, libtorch threads: %s%n",
                    TorchOps.fusedAttention() ? "fused SDPA" : "plain", TorchOps.fusedGroupNorm() ? "torch.group_norm"
                            : "layer-norm formulation", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));
            double matmul = matmulGflops();
            say("float32 matmul 2048^3: %.1f GFLOP/s%n", matmul);

            try (StableDiffusionPipeline pipe = ModelLoader.load(model, LoadOptions.cpu())) {
                int s = pipe.unet().config.sampleSize();
                unetStep("tiny (reference) UNet, batch 2, " + s + "x" + s + " latents", pipe.unet(), s, matmul, iters);

                try (NDManager m = NDManager.newBaseManager()) {
                    UNet2DConditionModel mid = new UNet2DConditionModel(Init.random(m),
                            UNet2DConditionModel.Config.sd1Like(new int[] {128, 256, 256}, 2, 768, 8, 32));
                    say("mid UNet: %.1f M parameters%n", mid.parameterCount() / 1e6);
                    unetStep("mid UNet (128/256/256, 2 layers, cross 768), batch 2, 32x32 latents", mid, 32, matmul,
                            iters);
                }

                int size = pipe.unet().config.sampleSize() * pipe.vaeScaleFactor();
                GenerationSettings gs = GenerationSettings.builder().prompt("a photograph of an astronaut riding a"
                        + " horse").steps(20).guidanceScale(7.5).sampler("euler").seed(1).size(size, size).build();
                pipe.txt2img(gs);
                long t0 = System.nanoTime();
                pipe.txt2img(gs);
                say("txt2img 20 steps (tiny, %dx%d, CFG): %.0f ms%n", size, size,
                        (System.nanoTime() - t0) / 1e6);

                GenerationSettings many = gs.toBuilder().steps(genSteps).build();
                System.gc();
                long before = rssKb();
                long t1 = System.nanoTime();
                for (int i = 0; i < generations; i++) {
                    pipe.txt2img(many.toBuilder().seed(i).build());
                    if (i == 9) {
                        say("RSS after 10 generations: %d MB%n", rssKb() / 1024);
                    }
                }
                System.gc();
                long after = rssKb();
                say("RSS before %d generations (%d steps each): %d MB, after: %d MB (%.1f s)%n",
                        generations, genSteps, before / 1024, after / 1024, (System.nanoTime() - t1) / 1e9);
            }
            return 0;
        } catch (UsageException e) {
            System.err.println("bench-engine: " + e.getMessage());
            System.err.println("usage: bench-engine [--model PATH] [--iters N] [--generations N] [--gen-steps N]");
            System.err.println("       bench-engine --full --models PATH[,PATH...]   (full-size loads: see"
                    + " make-random-model)");
            return 2;
        } catch (EngineException e) {
            System.err.println("bench-engine: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            System.err.println("bench-engine: " + e.getClass().getSimpleName() + ": " + Cli.firstLine(e.getMessage()));
            return 1;
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf(format, args);
        System.out.flush();
    }

    static double matmulGflops() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 2048;
            NDArray x = m.randomNormal(new Shape(n, n));
            NDArray y = m.randomNormal(new Shape(n, n));
            x.matMul(y).close();
            int reps = 5;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                NDArray z = x.matMul(y);
                z.toFloatArray();
                z.close();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return 2.0 * n * n * n * reps / s / 1e9;
        }
    }

    static void unetStep(String label, UNet2DConditionModel unet, int size, double matmul, int iters) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sample = m.randomNormal(new Shape(2, unet.config.inChannels(), size, size));
            NDArray ctx = m.randomNormal(new Shape(2, 77, unet.config.crossAttentionDim()));
            for (int i = 0; i < 3; i++) {
                try (NDManager step = m.newSubManager()) {
                    unet.forward(step, sample, 500, ctx).toFloatArray();
                }
            }
            FlopCounter.start();
            try (NDManager step = m.newSubManager()) {
                unet.forward(step, sample, 500, ctx).toFloatArray();
            }
            long flops = FlopCounter.stop();
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                try (NDManager step = m.newSubManager()) {
                    unet.forward(step, sample, 500, ctx).toFloatArray();
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6 / iters;
            double gflops = flops / (ms / 1000) / 1e9;
            say("%s: %.2f ms/step, %.2f GFLOP/step, %.1f GFLOP/s = %.0f%% of matmul%n", label, ms,
                    flops / 1e9, gflops, 100 * gflops / matmul);
        }
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return -1;
    }
}
