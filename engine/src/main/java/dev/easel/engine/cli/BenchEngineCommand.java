package dev.easel.engine.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.memory.HugePages;
import dev.easel.engine.memory.MemoryBudget;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.models.VaeTiling;
import dev.easel.engine.nn.FlopCounter;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.LayerScope;
import dev.easel.engine.nn.TorchOps;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.torch.LibTorch;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code bench-engine}: prints ms per UNet step (batch 2) for the tiny reference model and a mid-sized random UNet,
 * their achieved GFLOP/s next to this machine's float32 matmul GFLOP/s through the same libtorch, a 20-step
 * txt2img time, and resident memory before/after many generations. Prints figures; asserts nothing.
 */
public final class BenchEngineCommand extends EngineCommand {

    @Override
    public String name() {
        return "bench-engine";
    }

    @Override
    public String summary() {
        return "benchmark the engine: UNet ms/step, GFLOP/s vs matmul, txt2img time, memory over generations";
    }

    @Override
    protected String usage() {
        return "usage: bench-engine [--model PATH] [--iters N] [--generations N] [--gen-steps N]\n"
                + "       bench-engine --full [--models PATH[,PATH...] [--load-only]] [--size PX] [--gen-steps N]"
                + " [--generations N] [--vae-sizes PX,PX...] [--vae-only]\n"
                + "  --full: full-size loads of make-random-model folders (--models), then an SD 1.5-size generation"
                + " and VAE decodes with and without tiling unless --load-only; --vae-only: only the decodes";
    }

    @Override
    protected int execute(List<String> argv) {
        boolean full = argv.contains("--full"); // flags: Args reads only options with values
        boolean loadOnly = argv.contains("--load-only");
        boolean vaeOnly = argv.contains("--vae-only");
        Args a = new Args(
                argv.stream()
                        .filter(x -> !x.equals("--full") && !x.equals("--load-only") && !x.equals("--vae-only"))
                        .toList(),
                Set.of("model", "iters", "generations", "gen-steps", "size", "models", "vae-sizes"));
        if (full && a.has("models")) {
            int rc = FullSizeLoadBench.run(List.of(a.required("models").split(",")));
            if (rc != 0 || loadOnly) {
                return rc;
            }
        }
        Path model = Path.of(a.string("model", "../shared/reference/tiny-sd"));
        int iters = a.integer("iters", 10);
        int generations = a.integer("generations", 100);
        int genSteps = a.integer("gen-steps", 20);
        Engine.getInstance(); // loads the natives
        LibTorch.setGradMode(false);
        say(
                "attention: %s, group norm: %s, temporaries: %s, cores: %d, libtorch threads: %s, libtorch huge pages:"
                        + " %s%n",
                TorchOps.fusedAttention() ? "fused SDPA" : "plain",
                TorchOps.fusedGroupNorm() ? "torch.group_norm" : "layer-norm formulation",
                LayerScope.reusing() ? "reused, channels-last convolutions" : "kept per layer (-Deasel.reuse=off)",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("ai.djl.pytorch.num_threads", "default"),
                HugePages.inLibTorch() ? "on" : "off (-Deasel.thp=off, THP_MEM_ALLOC_ENABLE=0 or not Linux)");
        double matmul = matmulGflops();
        say("float32 matmul 2048^3: %.1f GFLOP/s%n", matmul);
        if (full) {
            int size = a.integer("size", 512);
            if (size <= 0 || size % 8 != 0) {
                throw new UsageException("--size must be a positive multiple of 8, got " + size);
            }
            int[] vaeSizes = sizes(a.string("vae-sizes", size + "," + 2 * size));
            if (vaeOnly) {
                try (NDManager weights = NDManager.newBaseManager()) {
                    AutoencoderKL vae = sd15Vae(Init.random(weights));
                    System.gc();
                    long built = MemoryBudget.processKb("VmRSS") / 1024;
                    say(
                            "SD 1.5-size VAE (random weights): %.1f M parameters, float32 weights %d MB, RSS after"
                                    + " build %d MB%n",
                            vae.parameterCount() / 1e6, vae.parameterCount() * 4 >> 20, built);
                    vaeDecodes(vae, built, vaeSizes);
                }
                return 0;
            }
            fullGeneration(
                    model.resolve("tokenizer"),
                    size,
                    a.integer("gen-steps", 2),
                    a.integer("generations", 2),
                    a.integer("iters", 1),
                    matmul,
                    vaeSizes);
            return 0;
        }

        try (StableDiffusionPipeline pipe = ModelLoader.load(model, LoadOptions.cpu())) {
            int s = pipe.unet().config.sampleSize();
            unetStep("tiny (reference) UNet, batch 2, " + s + "x" + s + " latents", pipe.unet(), s, matmul, 3, iters);

            try (NDManager m = NDManager.newBaseManager()) {
                UNet2DConditionModel mid = new UNet2DConditionModel(
                        Init.random(m), UNet2DConditionModel.Config.sd1Like(new int[] {128, 256, 256}, 2, 768, 8, 32));
                say("mid UNet: %.1f M parameters%n", mid.parameterCount() / 1e6);
                unetStep(
                        "mid UNet (128/256/256, 2 layers, cross 768), batch 2, 32x32 latents",
                        mid,
                        32,
                        matmul,
                        3,
                        iters);
            }

            int size = pipe.unet().config.sampleSize() * pipe.vaeScaleFactor();
            GenerationSettings gs = GenerationSettings.builder()
                    .prompt("a photograph of an astronaut riding a" + " horse")
                    .steps(20)
                    .guidanceScale(7.5)
                    .sampler("euler")
                    .seed(1)
                    .size(size, size)
                    .build();
            pipe.txt2img(gs);
            long t0 = System.nanoTime();
            pipe.txt2img(gs);
            say("txt2img 20 steps (tiny, %dx%d, CFG): %.0f ms%n", size, size, (System.nanoTime() - t0) / 1e6);

            GenerationSettings many = gs.toBuilder().steps(genSteps).build();
            System.gc();
            long before = MemoryBudget.processKb("VmRSS");
            long t1 = System.nanoTime();
            for (int i = 0; i < generations; i++) {
                pipe.txt2img(many.toBuilder().seed(i).build());
                if (i == 9) {
                    say("RSS after 10 generations: %d MB%n", MemoryBudget.processKb("VmRSS") / 1024);
                }
            }
            System.gc();
            long after = MemoryBudget.processKb("VmRSS");
            say(
                    "RSS before %d generations (%d steps each): %d MB, after: %d MB (%.1f s)%n",
                    generations, genSteps, before / 1024, after / 1024, (System.nanoTime() - t1) / 1e9);
        }
        return 0;
    }

    private static void say(String format, Object... args) {
        System.out.printf(format, args);
        System.out.flush();
    }

    /**
     * {@code --full}, generation: an SD 1.5-size pipeline (UNet 320/640/1280/1280, CLIP ViT-L/14 text encoder, VAE
     * 128/256/512/512) built in memory with random weights — the tokenizer is {@code tokenizerDir}'s — then ms and
     * achieved GFLOP/s of one UNet step at {@code size}² (512 unless {@code --size}) with CFG (batch 2), peak RSS of a
     * generation against the float32 weights, VAE decodes at {@code vaeSizes} ({@link #vaeDecodes}), and RSS after
     * {@code generations} generations against RSS after the build.
     */
    static void fullGeneration(
            Path tokenizerDir, int size, int steps, int generations, int iters, double matmul, int[] vaeSizes) {
        try (NDManager weights = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            Init init = Init.random(weights);
            ClipTextModel text = new ClipTextModel(
                    init, new ClipTextModel.Config(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5, 2));
            UNet2DConditionModel unet = new UNet2DConditionModel(
                    init, UNet2DConditionModel.Config.sd1Like(new int[] {320, 640, 1280, 1280}, 2, 768, 8, 64));
            AutoencoderKL vae = sd15Vae(init);
            long params = text.parameterCount() + unet.parameterCount() + vae.parameterCount();
            long weightMb = params * 4 / (1 << 20);
            StableDiffusionPipeline pipe = new StableDiffusionPipeline(
                    weights,
                    Device.cpu(),
                    DataType.FLOAT32,
                    ClipTokenizer.load(tokenizerDir),
                    text,
                    unet,
                    vae,
                    SchedulerConfig.sd1());
            System.gc();
            long built = MemoryBudget.processKb("VmRSS") / 1024;
            say(
                    "SD 1.5-size pipeline (random weights): %.1f M parameters (UNet %.1f M), float32 weights %d MB;"
                            + " built in %.1f s, RSS after build %d MB%n",
                    params / 1e6, unet.parameterCount() / 1e6, weightMb, (System.nanoTime() - t0) / 1e9, built);

            unetStep(
                    "SD 1.5-size UNet, batch 2 (CFG), " + size + "x" + size + " (target >= 60% of matmul)",
                    unet,
                    size / 8,
                    matmul,
                    0,
                    iters);

            GenerationSettings gs = GenerationSettings.builder()
                    .prompt("a photograph of an astronaut riding a horse")
                    .steps(Math.max(steps, 1))
                    .guidanceScale(7.5)
                    .sampler("euler")
                    .seed(1)
                    .size(size, size)
                    .build();
            if (steps > 0) { // --gen-steps 0: only the UNet step and the decode (a quick look)
                boolean peakReset = MemoryBudget.resetPeak();
                long t2 = System.nanoTime();
                long c2 = cpuNanos();
                pipe.txt2img(gs);
                long genPeak = MemoryBudget.processKb("VmHWM") / 1024;
                say(
                        "txt2img %dx%d, %d steps, CFG: %.1f s (CPU %.1f s), peak RSS %d MB = weights + %d MB (target <="
                                + " weights + 1536 MB)%s%n",
                        size,
                        size,
                        steps,
                        (System.nanoTime() - t2) / 1e9,
                        (cpuNanos() - c2) / 1e9,
                        genPeak,
                        genPeak - weightMb,
                        peakReset ? "" : " [peak since start: /proc/self/clear_refs not writable]");
            }

            System.gc();
            vaeDecodes(vae, MemoryBudget.processKb("VmRSS") / 1024, vaeSizes);

            for (int i = 0; i < generations; i++) {
                pipe.txt2img(gs.toBuilder().seed(i).build());
            }
            System.gc();
            long after = MemoryBudget.processKb("VmRSS") / 1024;
            say(
                    "RSS after %d more generations: %d MB vs %d MB after build (%+.1f %%, target within 10 %%)%n",
                    generations, after, built, 100.0 * (after - built) / built);
        }
    }

    /** SD 1.5's VAE (128/256/512/512, sample_size 512) with {@code init}'s weights. */
    private static AutoencoderKL sd15Vae(Init init) {
        return new AutoencoderKL(
                init, new AutoencoderKL.Config(3, 3, 4, new int[] {128, 256, 512, 512}, 2, 32, 0.18215, 512));
    }

    private static int[] sizes(String list) {
        try {
            int[] sizes = java.util.Arrays.stream(list.split(","))
                    .map(String::strip)
                    .mapToInt(Integer::parseInt)
                    .toArray();
            for (int px : sizes) {
                if (px <= 0 || px % 8 != 0) {
                    throw new NumberFormatException();
                }
            }
            return sizes;
        } catch (NumberFormatException e) {
            throw new UsageException("--vae-sizes takes positive multiples of 8 separated by commas, got " + list);
        }
    }

    /**
     * One VAE decode of random latents per size, with {@code --vae-tiling} (tiles of 512) and without: wall and CPU
     * time (on a shared machine only CPU time compares fairly) and peak RSS ({@code VmHWM} reset before each) against {@code baseMb}, the RSS before the first. The tiled decodes run
     * first, smallest first, then the untiled ones: memory the allocator keeps after a large decode cannot inflate
     * a smaller figure measured after it. An untiled decode the memory check says will not fit is skipped (its
     * refusal printed). At or below 512² tiling does nothing, so that size is decoded once.
     */
    static void vaeDecodes(AutoencoderKL vae, long baseMb, int[] sizes) {
        for (boolean tiled : new boolean[] {true, false}) {
            for (int px : sizes) {
                VaeTiling tiling = tiled ? VaeTiling.DEFAULT : null;
                if (tiled && !tiling.tiles(vae.config, px, px)) {
                    continue; // the same decode as untiled
                }
                String label = String.format("VAE decode %dx%d %s", px, px, tiled ? "--vae-tiling" : "untiled");
                try {
                    GenerationSettings.builder()
                            .prompt("x")
                            .guidanceScale(1)
                            .size(px, px)
                            .vaeTiling(tiling)
                            .build()
                            .validate();
                } catch (EngineException e) {
                    say("%s: skipped, %s%n", label, e.getMessage());
                    continue;
                }
                boolean peakReset = MemoryBudget.resetPeak();
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray latents = m.randomNormal(new Shape(1, 4, px / 8, px / 8));
                    long t0 = System.nanoTime();
                    long cpu0 = cpuNanos();
                    vae.decode(m, latents, tiling, null).toFloatArray();
                    double cpu = (cpuNanos() - cpu0) / 1e9;
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    long peak = MemoryBudget.processKb("VmHWM") / 1024;
                    say(
                            "%s: %.1f s wall, %.1f s CPU, peak RSS %d MB = before + %d MB%s%n",
                            label,
                            ms / 1e3,
                            cpu,
                            peak,
                            peak - baseMb,
                            peakReset ? "" : " [peak since start: /proc/self/clear_refs not" + " writable]");
                }
            }
        }
    }

    /** The matmul rate per second of this process's CPU time, from the last {@link #matmulGflops}. */
    private static double matmulCpuGflops;

    /**
     * CPU time of this process (all threads, user + system) in ns. On a shared machine wall clock measures the other
     * processes too; CPU time is the fair figure when libtorch runs one thread (more threads spin while waiting).
     */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static double matmulGflops() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 2048;
            NDArray x = m.randomNormal(new Shape(n, n));
            NDArray y = m.randomNormal(new Shape(n, n));
            x.matMul(y).close();
            int reps = 5;
            long t0 = System.nanoTime();
            long c0 = cpuNanos();
            for (int i = 0; i < reps; i++) {
                NDArray z = x.matMul(y);
                z.toFloatArray();
                z.close();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            matmulCpuGflops = 2.0 * n * n * n * reps / ((cpuNanos() - c0) / 1e9) / 1e9;
            return 2.0 * n * n * n * reps / s / 1e9;
        }
    }

    static void unetStep(String label, UNet2DConditionModel unet, int size, double matmul, int warmups, int iters) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sample = m.randomNormal(new Shape(2, unet.config.inChannels(), size, size));
            NDArray ctx = m.randomNormal(new Shape(2, 77, unet.config.crossAttentionDim()));
            for (int i = 0; i < warmups; i++) {
                try (NDManager step = m.newSubManager()) {
                    unet.forward(step, sample, 500, ctx).toFloatArray();
                }
            }
            System.gc();
            MemoryBudget.resetPeak();
            long rss0 = MemoryBudget.processKb("VmRSS") / 1024;
            long t0 = System.nanoTime();
            long c0 = cpuNanos();
            FlopCounter.start(); // counting is arithmetic on shapes: it does not slow the timed steps
            for (int i = 0; i < iters; i++) {
                try (NDManager step = m.newSubManager()) {
                    unet.forward(step, sample, 500, ctx).toFloatArray();
                }
            }
            long flops = FlopCounter.stop() / iters;
            long peakGrowth = MemoryBudget.processKb("VmHWM") / 1024 - rss0;
            double ms = (System.nanoTime() - t0) / 1e6 / iters;
            double cpuMs = (cpuNanos() - c0) / 1e6 / iters;
            // the references are the faster of the run's matmul rates, before the steps and right after them: on a
            // shared machine one measurement swings by a third, and a slow one would flatter the ratio
            double startCpuRate = matmulCpuGflops;
            double after = matmulGflops();
            matmulCpuGflops = Math.max(startCpuRate, matmulCpuGflops);
            double reference = Math.max(matmul, after);
            say("float32 matmul 2048^3 after the steps: %.1f GFLOP/s; reference %.1f%n", after, reference);
            double gflops = flops / (ms / 1000) / 1e9;
            double cpuGflops = flops / (cpuMs / 1000) / 1e9;
            say(
                    "%s: %.2f ms/step, %.2f GFLOP/step, %.1f GFLOP/s = %.0f%% of matmul; per CPU second: %.0f ms/step,"
                            + " %.1f GFLOP/s = %.0f%% of matmul's %.1f; peak RSS +%d MB over before the step%n",
                    label,
                    ms,
                    flops / 1e9,
                    gflops,
                    100 * gflops / reference,
                    cpuMs,
                    cpuGflops,
                    100 * cpuGflops / matmulCpuGflops,
                    matmulCpuGflops,
                    peakGrowth);
        }
    }
}
