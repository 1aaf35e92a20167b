package dev.easel.engine.loading;

import dev.easel.engine.EngineException;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model in the Hugging Face hub cache: a {@code models--owner--name} folder, whose newest
 * {@code snapshots/<hash>} with a {@code model_index.json} is a diffusers folder. (A snapshot folder itself is a
 * diffusers folder and needs nothing of this class.)
 */
public final class HuggingFaceCache implements ModelFormat {

    private final DiffusersFolder folder = new DiffusersFolder();

    @Override
    public boolean recognizes(Path path) {
        if (!Files.isDirectory(path)
                || Files.exists(path.resolve("model_index.json"))
                || !Files.isDirectory(path.resolve("snapshots"))) {
            return false;
        }
        snapshot(path); // a cache folder without a usable snapshot says so now
        return true;
    }

    @Override
    public StableDiffusionPipeline load(Path path, LoadOptions options) {
        return folder.load(snapshot(path), options);
    }

    /** The newest snapshot of a {@code models--owner--name} folder that holds a whole diffusers model. */
    static Path snapshot(Path cacheFolder) {
        Path snapshots = cacheFolder.resolve("snapshots");
        try (Stream<Path> s = Files.list(snapshots)) {
            List<Path> dirs = s.filter(p -> Files.exists(p.resolve("model_index.json")))
                    .sorted(Comparator.comparing(HuggingFaceCache::modifiedMillis)
                            .reversed())
                    .toList();
            if (dirs.isEmpty()) {
                throw new EngineException(snapshots + ": no snapshot with model_index.json");
            }
            return dirs.get(0);
        } catch (IOException e) {
            throw new EngineException(snapshots + ": cannot list (" + e.getMessage() + ")");
        }
    }

    private static long modifiedMillis(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0L;
        }
    }

    /** The hub cache folder: {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. */
    static Path hub() {
        String hf = System.getenv("HF_HOME");
        return hf != null
                ? Path.of(hf, "hub")
                : Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    /**
     * The first snapshot folder (or its {@code sub} folder) of one of {@code repos} in the hub cache that holds all
     * of {@code files}.
     */
    static Optional<Path> findInHub(List<String> repos, String sub, String... files) {
        for (String repo : repos) {
            Path snaps = hub().resolve("models--" + repo.replace("/", "--")).resolve("snapshots");
            if (!Files.isDirectory(snaps)) {
                continue;
            }
            try (Stream<Path> s = Files.list(snaps)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    for (Path d : new Path[] {p, p.resolve(sub)}) {
                        if (Stream.of(files).allMatch(f -> Files.exists(d.resolve(f)))) {
                            return Optional.of(d);
                        }
                    }
                }
            } catch (IOException ignored) {
                // try the next repository
            }
        }
        return Optional.empty();
    }
}
