package dev.easel.engine.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Records the process's peak resident memory when a run ends, for {@link TrainingResult#peakRssBytes()}. */
final class MemoryReport implements StepListener {

    private long peakRssBytes;

    @Override
    public void onRunEnd(TrainingRun run, boolean interrupted) {
        peakRssBytes = peakRss();
    }

    long peakRssBytes() {
        return peakRssBytes;
    }

    /** VmHWM from /proc/self/status, in bytes; 0 where the file doesn't exist. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.split("\\s+")[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
