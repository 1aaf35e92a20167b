package dev.easel.engine;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the model called {@code default} lives ({@code %load_model default}, {@code --model default}).
 *
 * <p>Until Easel ships its own trained default model, {@code default} is the tiny reference pipeline that sits in
 * {@code shared/reference/tiny-sd} beside the project checkout (random weights: it runs end to end but draws noise).
 * It is looked up from the environment variable {@code EASEL_DEFAULT_MODEL}, the system property
 * {@code easel.default.model}, then beside the checkout that holds the running jar or classes, then upwards from the
 * working directory.
 */
public final class DefaultModel {

    public static final String NAME = "default";

    private static final Path RELATIVE = Path.of("shared", "reference", "tiny-sd");

    private DefaultModel() {
    }

    /** True when {@code nameOrPath} asks for the default model. */
    public static boolean isDefault(String nameOrPath) {
        return NAME.equalsIgnoreCase(nameOrPath.strip());
    }

    /** The default model's folder, or an {@link IllegalStateException} saying where it was looked for. */
    public static Path path() {
        List<Path> tried = new ArrayList<>();
        for (Path candidate : candidates()) {
            tried.add(candidate);
            if (Files.isRegularFile(candidate.resolve("model_index.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("the default model was not found (looked in " + tried
                + "); set EASEL_DEFAULT_MODEL to a diffusers folder, or load a model by its path");
    }

    private static List<Path> candidates() {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("EASEL_DEFAULT_MODEL")).map(Path::of).ifPresent(candidates::add);
        Optional.ofNullable(System.getProperty("easel.default.model")).map(Path::of).ifPresent(candidates::add);
        codeLocation().ifPresent(code -> addAncestors(candidates, code));
        addAncestors(candidates, Path.of("").toAbsolutePath());
        return candidates;
    }

    /** For each folder from {@code start} upwards, its sibling {@code shared/reference/tiny-sd}. */
    private static void addAncestors(List<Path> candidates, Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path parent = dir.getParent();
            if (parent != null) {
                Path candidate = parent.resolve(RELATIVE);
                if (!candidates.contains(candidate)) {
                    candidates.add(candidate);
                }
            }
        }
    }

    private static Optional<Path> codeLocation() {
        try {
            var source = DefaultModel.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
