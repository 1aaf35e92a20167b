package dev.easel.magics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hand-over point between Java code the kernel runs and the cells' JShell scope. Cells run in the kernel's own JVM
 * and see this very class, so a magic can {@link #put} an object and a snippet can {@link #take} it — that is how
 * {@code %load_model --as sd} makes the loaded pipeline the variable {@code sd}.
 */
public final class Bindings {

    private static final Map<String, Object> SLOTS = new ConcurrentHashMap<>();

    private Bindings() {}

    public static void put(String key, Object value) {
        SLOTS.put(key, value == null ? NULL : value);
    }

    public static Object take(String key) {
        Object value = SLOTS.remove(key);
        if (value == null) {
            throw new IllegalStateException("nothing was handed over under " + key);
        }
        return value == NULL ? null : value;
    }

    private static final Object NULL = new Object();
}
