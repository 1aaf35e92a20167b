package dev.easel.engine.cli;

import ai.djl.ndarray.types.DataType;
import dev.easel.engine.EngineException;
import dev.easel.engine.randommodel.Architecture;
import dev.easel.engine.randommodel.RandomModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code make-random-model}: writes an SD 1.5 or SD 2.1-v model with random weights and exactly the real
 * architecture, as a diffusers folder or one original-layout file — full-size models to measure loading, memory and
 * speed with, without downloading one.
 */
public final class MakeRandomModelCommand extends EngineCommand {

    private static final String USAGE = "usage: make-random-model --arch sd15|sd21 --out PATH [--dtype fp16|fp32]"
            + " [--single-file] [--seed N]\n"
            + "  writes a diffusers folder at PATH, or with --single-file one original-layout .safetensors file at PATH"
            + " (a tokenizer/ folder beside it); default dtype fp16 for a folder, fp32 for a single file";

    @Override
    public String name() {
        return "make-random-model";
    }

    @Override
    public String summary() {
        return "write an SD 1.5 / SD 2.1 model with random weights and the real architecture (for benchmarks)";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Override
    protected int execute(List<String> argv) {
        boolean singleFile = argv.contains("--single-file");
        Args a = new Args(
                argv.stream().filter(s -> !s.equals("--single-file")).toList(), Set.of("arch", "out", "dtype", "seed"));
        Architecture arch;
        try {
            arch = Architecture.of(a.required("arch"));
        } catch (EngineException e) {
            throw new UsageException("--arch: " + e.getMessage());
        }
        Path out = Path.of(a.required("out"));
        String dtypeName = a.string("dtype", singleFile ? "fp32" : "fp16");
        DataType dtype = switch (dtypeName) {
            case "fp16" -> DataType.FLOAT16;
            case "fp32" -> DataType.FLOAT32;
            default -> throw new UsageException("--dtype must be fp16 or fp32");
        };
        if (singleFile && !out.getFileName().toString().endsWith(".safetensors")) {
            throw new UsageException("--single-file writes a file: give --out NAME.safetensors");
        }
        if (!singleFile && Files.isRegularFile(out)) {
            throw new UsageException(out + " is a file; a diffusers model is a folder (or pass --single-file)");
        }
        RandomModelWriter writer = new RandomModelWriter(arch, dtype, a.longValue("seed", 0));
        long params = writer.parameterCount();
        System.out.printf(
                "writing %s (%.1f M parameters, %s, %.2f GB) to %s%n",
                arch.id(), params / 1e6, dtypeName, params * (dtype == DataType.FLOAT16 ? 2 : 4) / 1e9, out);
        long t0 = System.nanoTime();
        if (singleFile) {
            writer.writeSingleFile(out);
        } else {
            writer.writeFolder(out);
        }
        System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
