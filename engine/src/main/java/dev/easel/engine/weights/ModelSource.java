package dev.easel.engine.weights;

import dev.easel.engine.EngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where a model comes from: a diffusers folder (also a Hugging Face cache {@code models--x--y} folder or one of its
 * {@code snapshots/<hash>} folders) or a single-file {@code .safetensors} checkpoint. Pickled checkpoints are
 * refused with a line saying how to convert them.
 */
public record ModelSource(Path root, boolean singleFile) {

    public static ModelSource resolve(Path path) {
        if (!Files.exists(path)) {
            throw new EngineException(path + ": file not found");
        }
        if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin")) {
                throw new EngineException(path + ": pickled checkpoints are not loaded (they can run code); convert it"
                        + " to .safetensors first, e.g. with diffusers' scripts/convert_original_stable_diffusion_to_"
                        + "diffusers.py --checkpoint_path " + path.getFileName() + " --to_safetensors, or in Python:"
                        + " safetensors.torch.save_file(torch.load(f)['state_dict'], 'model.safetensors')");
            }
            if (!name.endsWith(".safetensors")) {
                throw new EngineException(path + ": not a model (expected a diffusers folder or a .safetensors file)");
            }
            return new ModelSource(path, true);
        }
        Path dir = path;
        if (!Files.exists(dir.resolve("model_index.json")) && Files.isDirectory(dir.resolve("snapshots"))) {
            dir = latestSnapshot(dir.resolve("snapshots"));
        }
        if (!Files.exists(dir.resolve("model_index.json")) && !Files.isDirectory(dir.resolve("unet"))) {
            throw new EngineException(path + ": not a diffusers folder (no model_index.json or unet/)");
        }
        return new ModelSource(dir, false);
    }

    private static Path latestSnapshot(Path snapshots) {
        try (Stream<Path> s = Files.list(snapshots)) {
            List<Path> dirs = s.filter(p -> Files.exists(p.resolve("model_index.json")))
                    .sorted(Comparator.comparing((Path p) -> {
                        try {
                            return Files.getLastModifiedTime(p).toMillis();
                        } catch (IOException e) {
                            return 0L;
                        }
                    }).reversed()).collect(Collectors.toList());
            if (dirs.isEmpty()) {
                throw new EngineException(snapshots + ": no snapshot with model_index.json");
            }
            return dirs.get(0);
        } catch (IOException e) {
            throw new EngineException(snapshots + ": cannot list (" + e.getMessage() + ")");
        }
    }

    /**
     * The weight file of a component folder: {@code <base>.safetensors}, else the {@code <base>.fp16.safetensors}
     * variant (or any {@code *.safetensors}); {@code .bin}-only folders are refused.
     */
    public static Path weightsIn(Path componentDir, String base) {
        if (!Files.isDirectory(componentDir)) {
            throw new EngineException(componentDir + ": folder not found");
        }
        Path plain = componentDir.resolve(base + ".safetensors");
        if (Files.exists(plain)) {
            return plain;
        }
        Path fp16 = componentDir.resolve(base + ".fp16.safetensors");
        if (Files.exists(fp16)) {
            return fp16;
        }
        try (Stream<Path> s = Files.list(componentDir)) {
            List<Path> any = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted()
                    .collect(Collectors.toList());
            if (!any.isEmpty()) {
                return any.get(0);
            }
        } catch (IOException e) {
            throw new EngineException(componentDir + ": cannot list (" + e.getMessage() + ")");
        }
        if (Files.exists(componentDir.resolve(base + ".bin"))) {
            throw new EngineException(componentDir.resolve(base + ".bin") + ": pickled weights are not loaded;"
                    + " convert them to safetensors (e.g. pipe.save_pretrained(dir, safe_serialization=True))");
        }
        throw new EngineException(componentDir + ": no " + base + ".safetensors");
    }
}
