package dev.easel.magics.general;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import dev.easel.ModelRegistry;
import dev.easel.engine.torch.LibTorch;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code %engine}: the deep-learning engine, devices, threads, memory in use and the loaded models. */
public final class EngineMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("engine", "Show the engine: device, dtype, threads, memory in use, loaded models")
                .example("%engine");
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        System.out.print(report());
    }

    /** The report as text, one fact per line. */
    public static String report() {
        StringBuilder out = new StringBuilder();
        Engine engine;
        try {
            engine = Engine.getInstance();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new MagicException("the PyTorch engine could not start: " + e.getMessage());
        }
        int gpus = engine.getGpuCount();
        out.append(line(
                "Engine",
                "DJL " + Engine.getDjlVersion() + " · " + engine.getEngineName() + " " + engine.getVersion()));
        List<String> devices = new ArrayList<>();
        devices.add("cpu (" + Runtime.getRuntime().availableProcessors() + " cores)");
        for (int i = 0; i < gpus; i++) {
            Device gpu = Device.gpu(i);
            String memory = "";
            try {
                MemoryUsage usage = CudaUtils.getGpuMemory(gpu);
                memory = " " + mib(usage.getUsed()) + " / " + mib(usage.getMax()) + " used";
            } catch (RuntimeException | UnsatisfiedLinkError ignored) {
                // no CUDA runtime to ask
            }
            devices.add("gpu" + i + memory);
        }
        out.append(line("Devices", String.join(", ", devices)));
        out.append(line("Default", (gpus > 0 ? "gpu0" : "cpu") + " · float32 (fp16 with --dtype fp16 on a GPU)"));
        try {
            out.append(line("Threads", LibTorch.threads() + " intra-op, " + LibTorch.interopThreads() + " inter-op"));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            out.append(line("Threads", "unknown (" + e.getMessage() + ")"));
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.append(line("JVM heap", mib(heap.getUsed()) + " used of " + mib(heap.getMax())));
        out.append(line("Process RSS", rss().map(MagicsFormat::mib).orElse("unknown")));
        List<String> models = ModelRegistry.global().describe();
        out.append(line("Models", models.isEmpty() ? "none loaded (%load_model default loads one)" : ""));
        models.forEach(m -> out.append("  ").append(m).append('\n'));
        return out.toString();
    }

    private static String line(String key, String value) {
        return String.format("%-12s %s%n", key + ":", value);
    }

    private static String mib(long bytes) {
        return MagicsFormat.mib(bytes);
    }

    /** Resident set size from /proc/self/status (Linux), in bytes. */
    static Optional<Long> rss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    String[] parts = l.substring(6).strip().split("\\s+");
                    return Optional.of(Long.parseLong(parts[0]) * 1024);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return Optional.empty();
    }
}
