package dev.easel.magics.general;

import dev.easel.magics.CellPart;
import dev.easel.magics.Magic;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.Magics;
import dev.easel.magics.RegistryAware;
import dev.easel.magics.spec.MagicSpec;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code %time CODE} and {@code %%time}: runs Java (and magics) and reports wall time and CPU time. CPU time is the
 * whole process's, because cells and the engine's worker threads run on other threads than the one timing them.
 *
 * <p>Not a {@link dev.easel.magics.spec.SpecMagic}: its argument is Java code, which must not be split like a shell
 * line (a {@code 'x'} char literal is not a quote).
 */
public final class TimeMagic implements Magic, RegistryAware {

    private static final MagicSpec SPEC = MagicSpec.magic("time", "Run code and report its wall-clock and CPU time")
            .rest("CODE", "Java statement(s) or a magic to time")
            .cellBody("Java and magics to time")
            .note("CPU time is the whole process's (all threads), so it can exceed wall time on several cores.")
            .example("%time java.util.stream.IntStream.range(0, 1_000_000).sum()")
            .example("%%time\n%txt2img --steps 4 a red circle");

    /** The registry it is part of, whose magics the timed code may use; none until it is registered. */
    private Magics registry = new Magics();

    @Override
    public String name() {
        return SPEC.name();
    }

    @Override
    public String summary() {
        return SPEC.summary();
    }

    @Override
    public String help() {
        return SPEC.help();
    }

    @Override
    public boolean isCellMagic() {
        return true;
    }

    @Override
    public void setRegistry(Magics magics) {
        this.registry = magics;
    }

    @Override
    public void run(CellPart.MagicCall call, MagicContext context) throws Exception {
        String code = call.isCellMagic() ? call.body() : call.args();
        if (call.isCellMagic() && !call.args().isBlank()) {
            throw new MagicException("%%time takes no arguments: put the code to time in the cell below it");
        }
        if (code == null || code.isBlank()) {
            throw new MagicException(call.spelled() + " needs code to time, e.g. %time Thread.sleep(100)");
        }
        // The value of the code's last expression is shown after the timing, as IPython's Out follows its times,
        // and rendering it (an image's PNG) is not timed.
        Optional<Runnable> value;
        long cpu0 = processCpuNanos();
        long wall0 = System.nanoTime();
        try {
            value = registry.runCellHoldingLastValue(code, context);
        } finally {
            long wall = System.nanoTime() - wall0;
            long cpu = processCpuNanos() - cpu0;
            System.out.println(report(wall, cpu));
        }
        value.ifPresent(Runnable::run);
    }

    /** {@code Wall time: 850.0 ms · CPU time: 1.20 s (process, all threads)}. */
    static String report(long wallNanos, long cpuNanos) {
        String cpu = cpuNanos < 0 ? "n/a" : human(cpuNanos);
        return "Wall time: " + human(wallNanos) + " · CPU time: " + cpu + " (process, all threads)";
    }

    /** Durations the way people read them: µs, ms, s, or m:ss. */
    public static String human(long nanos) {
        if (nanos < 1_000_000) {
            return String.format("%.0f µs", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format("%.1f ms", nanos / 1e6);
        }
        if (nanos < 60_000_000_000L) {
            return String.format("%.2f s", nanos / 1e9);
        }
        Duration d = Duration.ofNanos(nanos);
        return String.format("%d min %02d s", d.toMinutes(), d.toSecondsPart());
    }

    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
