package dev.easel.display;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The renderer registry: maps a Java value to the {@link MimeBundle} Jupyter shows. Renderers come from
 * {@link ServiceLoader} and from {@link #register}; for a value the renderer of its most specific type wins, and a
 * value no renderer knows is shown as {@link PlainText} ({@code String.valueOf}, arrays as jshell prints them).
 */
public final class Renderers {

    private static final Renderers GLOBAL = loadFrom(Renderers.class.getClassLoader());

    private final List<Renderer<?>> renderers = new CopyOnWriteArrayList<>();

    public static Renderers global() {
        return GLOBAL;
    }

    /** A registry holding every renderer {@link ServiceLoader} finds through {@code loader}. */
    public static Renderers loadFrom(ClassLoader loader) {
        Renderers registry = new Renderers();
        for (Renderer<?> renderer : ServiceLoader.load(Renderer.class, loader)) {
            registry.register(renderer);
        }
        return registry;
    }

    /** Adds a renderer; it takes precedence over an earlier one for the very same type. */
    public void register(Renderer<?> renderer) {
        renderers.add(0, renderer);
    }

    public MimeBundle render(Object value) {
        if (value instanceof MimeBundle bundle) {
            return bundle;
        }
        if (value == null) {
            return MimeBundle.text("null");
        }
        Renderer<?> best = null;
        for (Renderer<?> candidate : renderers) {
            if (candidate.type().isInstance(value)
                    && (best == null
                            || best.type().isAssignableFrom(candidate.type()) && best.type() != candidate.type())) {
                best = candidate;
            }
        }
        return best == null ? MimeBundle.text(PlainText.of(value)) : renderWith(best, value);
    }

    /** The types with a registered renderer, most recently registered first. */
    public List<Class<?>> types() {
        List<Class<?>> types = new ArrayList<>();
        renderers.forEach(r -> types.add(r.type()));
        return types;
    }

    private static <T> MimeBundle renderWith(Renderer<T> renderer, Object value) {
        return renderer.render(renderer.type().cast(value));
    }
}
