package dev.easel.notebook;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The environment as Easel sees it. A JVM cannot change its own environment, so {@code %env NAME=value} sets the
 * variable in this overlay, which Easel's settings ({@link #get}, e.g. {@code EASEL_OUTPUTS}) and the processes it
 * starts ({@link #processBuilder}) see. It lives here, below the magics, so that notebook helpers such as
 * {@link Outputs} can read it without depending on a magic.
 */
public final class Environment {

    private static final Map<String, String> OVERLAY = new ConcurrentHashMap<>();

    private Environment() {}

    /** The variable: the overlay set by {@code %env}, then the process environment. */
    public static Optional<String> get(String name) {
        return Optional.ofNullable(OVERLAY.getOrDefault(name, System.getenv(name)));
    }

    /** Sets {@code name} in the overlay. */
    public static void set(String name, String value) {
        OVERLAY.put(name, value);
    }

    /** The process environment with the overlay on top, sorted by name. */
    public static Map<String, String> all() {
        Map<String, String> all = new TreeMap<>(System.getenv());
        all.putAll(OVERLAY);
        return all;
    }

    /** A process builder whose environment includes what {@code %env} set. */
    public static ProcessBuilder processBuilder(String... command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(OVERLAY);
        return builder;
    }
}
