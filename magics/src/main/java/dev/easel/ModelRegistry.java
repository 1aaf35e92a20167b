package dev.easel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The models loaded in this kernel, shared by the magics and the Java API: {@code %engine} lists them,
 * {@code --model NAME} finds them by name, and loading the same file on the same device and dtype again returns the
 * model already in memory. The most recently loaded or named model is the {@link #current} one.
 */
public final class ModelRegistry {

    private static final ModelRegistry GLOBAL = new ModelRegistry();

    /** What identifies a loaded model: its real path, device, dtype and prediction type (null: the model's own). */
    public record Key(Path path, String device, String dtype, String predictionType) {}

    private final Map<Key, Model> byKey = new LinkedHashMap<>();
    private final Map<String, Model> byName = new LinkedHashMap<>();
    private Model current;

    public static ModelRegistry global() {
        return GLOBAL;
    }

    /** The model for {@code key}, loading it with {@code loader} the first time; true in the pair when reused. */
    public synchronized Loaded getOrLoad(Key key, Supplier<Model> loader) {
        Model existing = byKey.get(key);
        if (existing != null && !existing.isClosed()) {
            current = existing;
            return new Loaded(existing, true);
        }
        Model model = loader.get();
        byKey.put(key, model);
        current = model;
        return new Loaded(model, false);
    }

    public record Loaded(Model model, boolean reused) {}

    /** Also calls {@code model} {@code name} (a variable name), for {@code --model NAME}, and makes it current. */
    public synchronized void name(String name, Model model) {
        byName.put(name, model);
        current = model;
    }

    /**
     * Names a model without making it current — for a model derived from the current one (a DreamBooth result), so
     * magics without {@code --model} keep using the base, and a resumed run trains the same base again.
     */
    public synchronized void nameAside(String name, Model model) {
        byName.put(name, model);
    }

    /** Makes {@code model} current again, after work that loaded other models on the side (a sweep's model axis). */
    public synchronized void makeCurrent(Model model) {
        current = model;
    }

    public synchronized Optional<Model> byName(String name) {
        Model model = byName.get(name);
        return model == null || model.isClosed() ? Optional.empty() : Optional.of(model);
    }

    /** The names models are known by. */
    public synchronized List<String> names() {
        List<String> names = new ArrayList<>();
        byName.forEach((n, m) -> {
            if (!m.isClosed()) {
                names.add(n);
            }
        });
        return names;
    }

    /** The model loaded or used last, if any is still loaded. */
    public synchronized Optional<Model> current() {
        return current == null || current.isClosed() ? Optional.empty() : Optional.of(current);
    }

    /** Every open model: those loaded from files and those only named (e.g. a DreamBooth-trained one). */
    public synchronized List<Model> all() {
        return Stream.concat(byKey.values().stream(), byName.values().stream())
                .filter(m -> !m.isClosed())
                .distinct()
                .toList();
    }

    /** Forgets a closed model. */
    public synchronized void remove(Model model) {
        byKey.values().removeIf(m -> m == model);
        byName.values().removeIf(m -> m == model);
        if (current == model) {
            current = null;
        }
    }

    /** One line per loaded model: names, source, device, dtype. */
    public synchronized List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Model model : all()) {
            List<String> names = new ArrayList<>();
            byName.forEach((n, m) -> {
                if (m == model) {
                    names.add(n);
                }
            });
            lines.add((names.isEmpty() ? "(unnamed)" : String.join(", ", names)) + " = " + model
                    + (model == current ? "  [current]" : ""));
        }
        return lines;
    }
}
