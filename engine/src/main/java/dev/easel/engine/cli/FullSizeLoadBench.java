package dev.easel.engine.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.memory.HugePageArena;
import dev.easel.engine.memory.HugePages;
import dev.easel.engine.memory.MemoryBudget;
import dev.easel.engine.nn.Module;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.weights.WeightLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code bench-engine --full}: loads each full-size model (float32 on the CPU, warm page cache) and prints, side by
 * side, the weight bytes on disk, the time {@code cat} takes to read them in the same run, the load time and their
 * ratio (target ≤ 2), the time a first use of every weight then takes (a sum over each: weights mapped from the file
 * are faulted in as they are first read, so part of their cost moves from the load to the first generation; this
 * column shows it), the peak resident size over the load and that first use ({@code VmHWM}, which counts mapped file
 * pages) against the float32 size of the weights (target ≤ 1.15), and {@code MemAvailable} before, while loaded and
 * after closing.
 * Beside them, the floor under a load that makes new memory: "fresh memory", the time to allocate and first-write as
 * many bytes as the load copied (converted weights), by the loader's route, with the ratio load/(cat + fresh). Each
 * load starts after {@link #SETTLE_MS} idle, so that memory freed before it is as costly to take as after idling.
 * Times are given as wall clock and as CPU time (this process's, resp. {@code cat}'s user + system time from
 * {@code /proc/self/stat}): on a shared machine only the CPU ratio is a fair comparison.
 */
final class FullSizeLoadBench {

    private FullSizeLoadBench() {}

    static int run(List<String> models) {
        try {
            return measure(models);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static int measure(List<String> models) throws IOException, InterruptedException {
        Engine.getInstance();
        LibTorch.setGradMode(false);
        boolean peakResets = MemoryBudget.resetPeak();
        System.out.println("| model | weight bytes | cat wall / CPU | load wall / CPU | fresh memory: bytes, wall / CPU"
                + " | load/cat wall / CPU | load/(cat + fresh) wall / CPU | first use wall / CPU | float32 weights"
                + " | peak RSS (growth) | peak/weights | RssFile after | MemAvailable before / loaded / after |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String m : models) {
            Path model = Path.of(m.trim());
            List<Path> files = weightFiles(model);
            long bytes = 0;
            for (Path f : files) {
                bytes += Files.size(f);
            }
            cat(files); // warms the page cache
            long[] catCpu0 = cpuTicks();
            double catS = cat(files);
            double catCpu = (cpuTicks()[1] - catCpu0[1]) / TICKS;
            System.gc();
            // memory freed a few seconds ago (by the model before, a process that ended) is cheap to take again on a VM
            // whose guest returns free pages to the host; after idling, as before any real load, it has gone back
            Thread.sleep(SETTLE_MS);
            long availBefore = MemoryBudget.memInfoKb("MemAvailable");
            long rssBefore = MemoryBudget.processKb("VmRSS");
            MemoryBudget.resetPeak();
            long copied0 = WeightLoader.parameterBytesCopied();
            long[] cpu0 = cpuTicks();
            long t0 = System.nanoTime();
            long params;
            long availLoaded;
            long rssFile;
            long peak;
            double loadS;
            double loadCpu;
            double useS;
            double useCpu;
            long fresh;
            double[] freshS;
            try (StableDiffusionPipeline p = ModelLoader.load(model, LoadOptions.cpu())) {
                loadS = (System.nanoTime() - t0) / 1e9;
                long[] cpu1 = cpuTicks();
                loadCpu = (cpu1[0] - cpu0[0]) / TICKS;
                fresh = WeightLoader.parameterBytesCopied() - copied0;
                long t1 = System.nanoTime();
                useEveryWeight(p.textEncoder(), p.unet(), p.vae());
                useS = (System.nanoTime() - t1) / 1e9;
                useCpu = (cpuTicks()[0] - cpu1[0]) / TICKS;
                peak = MemoryBudget.processKb("VmHWM");
                rssFile = MemoryBudget.processKb("RssFile");
                availLoaded = MemoryBudget.memInfoKb("MemAvailable");
                params = p.textEncoder().parameterCount()
                        + p.unet().parameterCount()
                        + p.vae().parameterCount();
                freshS = freshMemory(fresh); // while the model holds its memory: as fresh as the load's was
            }
            System.gc();
            Thread.sleep(1000); // arena blocks are unmapped by a cleaner thread just after the collection
            long availAfter = MemoryBudget.memInfoKb("MemAvailable");
            double f32 = params * 4.0;
            double growth = (peak - rssBefore) * 1024.0;
            System.out.printf(
                    "| %s | %.2f GB | %.2f / %.2f s | %.2f / %.2f s | %.2f GB, %.2f / %.2f s | %.2f / %.2f"
                            + " | %.2f / %.2f | %.2f / %.2f s"
                            + " | %.2f GB | %.2f GB (+%.2f GB) | %.2f (%.2f of growth) | %.0f MB | %.1f / %.1f / %.1f GB"
                            + " |%n",
                    model.getFileName(),
                    bytes / 1e9,
                    catS,
                    catCpu,
                    loadS,
                    loadCpu,
                    fresh / 1e9,
                    freshS[0],
                    freshS[1],
                    loadS / catS,
                    loadCpu / Math.max(catCpu, 0.01),
                    loadS / (catS + freshS[0]),
                    loadCpu / Math.max(catCpu + freshS[1], 0.01),
                    useS,
                    useCpu,
                    f32 / 1e9,
                    peak * 1024.0 / 1e9,
                    growth / 1e9,
                    peak * 1024.0 / f32,
                    growth / f32,
                    rssFile / 1024.0,
                    availBefore / 1e6,
                    availLoaded / 1e6,
                    availAfter / 1e6);
        }
        if (!peakResets) {
            System.out.println("(VmHWM could not be reset: peaks are since process start)");
        }
        return 0;
    }

    private static final double TICKS = 100.0; // USER_HZ on Linux

    /** How long freed memory takes to go back to the host here (measured: 3–6 s after freeing 2 GiB, 15–25 s after 8 GiB). */
    private static final long SETTLE_MS = 30_000;

    /**
     * The floor under a load that makes {@code bytes} of new memory: wall and CPU seconds to allocate that much by the
     * loader's route (a {@link HugePageArena}) and write it for the first time (libtorch's {@code fill_}, on as many
     * threads as the loader's converting copies).
     */
    private static double[] freshMemory(long bytes) throws IOException {
        if (bytes == 0) {
            return new double[] {0, 0};
        }
        HugePageArena arena = new HugePageArena();
        int threads = LibTorch.threads();
        if (HugePageArena.faultsAhead()) {
            LibTorch.setThreads(1); // as the loader's copies run (WeightLoader)
        }
        long[] cpu0 = cpuTicks();
        long t0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (long left = bytes / 4; left > 0; ) {
                long n = Math.min(left, 16L << 20); // in float32 elements
                ByteBuffer memory = arena.allocate(n * 4);
                if (memory == null) { // no arena: as the loader allocates then (TensorReader)
                    NDArray a = m.create(new Shape(n), DataType.FLOAT32);
                    HugePages.advise(a.toByteBuffer(true));
                    a.set(new NDIndex("..."), 1f);
                } else {
                    m.create(memory, new Shape(n), DataType.FLOAT32).set(new NDIndex("..."), 1f);
                }
                left -= n;
            }
        } finally {
            arena.release();
            LibTorch.setThreads(threads);
        }
        return new double[] {(System.nanoTime() - t0) / 1e9, (cpuTicks()[0] - cpu0[0]) / TICKS};
    }

    /** Reads every weight once (a sum each), as a first generation would. */
    private static void useEveryWeight(Module... models) {
        for (Module m : models) {
            for (NDArray w : m.parameters().values()) {
                try (NDArray sum = w.sum()) {
                    sum.getFloat();
                }
            }
        }
    }

    /** This process's user + system ticks, and its waited-for children's. */
    private static long[] cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after the name start at field 3: utime 14, stime 15, cutime 16, cstime 17
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])
        };
    }

    private static double cat(List<Path> files) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("cat"));
        files.forEach(f -> cmd.add(f.toString()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (p.waitFor() != 0) {
            throw new IOException("cat failed on " + files);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static List<Path> weightFiles(Path model) throws IOException {
        if (Files.isRegularFile(model)) {
            return List.of(model);
        }
        try (Stream<Path> s = Files.walk(model)) {
            return s.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList();
        }
    }
}
