package dev.easel.engine.weights;

import dev.easel.engine.EngineException;
import dev.easel.engine.models.Configs;

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

    /** The {@code _class_name}s of {@code model_index.json} whose components this engine loads. */
    private static final List<String> SUPPORTED_PIPELINES = List.of("StableDiffusionPipeline",
            "StableDiffusionImg2ImgPipeline", "StableDiffusionInpaintPipeline");

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
        checkPipelineClass(dir.resolve("model_index.json"));
        return new ModelSource(dir, false);
    }

    /**
     * {@code model_index.json} is optional here: each component folder has its own config, which is what the loader
     * reads (diffusers needs the index to pick classes; Easel's classes are fixed). When the index is there it must
     * be valid, and a pipeline class Easel cannot run (SDXL, say) is named instead of failing later on its weights.
     */
    private static void checkPipelineClass(Path index) {
        if (!Files.exists(index)) {
            return;
        }
        String pipeline = Configs.read(index, n -> Configs.text(n, "_class_name", null));
        if (pipeline != null && !SUPPORTED_PIPELINES.contains(pipeline)) {
            throw new EngineException(index + ": \"_class_name\" is " + pipeline + "; Easel runs Stable Diffusion"
                    + " 1.x/2.x models (" + String.join(", ", SUPPORTED_PIPELINES) + ")");
        }
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
