package dev.easel.display;

/**
 * Turns values of one Java type into a {@link MimeBundle}. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.easel.display.Renderer}), so a jar on the class path can teach the notebook to show its
 * own types. The most specific type wins (a renderer for {@code ArrayList} beats one for {@code Object}).
 */
public interface Renderer<T> {

    Class<T> type();

    MimeBundle render(T value);
}
