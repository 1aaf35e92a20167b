package dev.easel.magics.general;

import dev.easel.magics.MagicContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What {@code %classpath} and {@code %maven} have added to the cells' class path, so nothing is added twice. */
public final class ClassPaths {

    private static final Set<Path> ADDED = new LinkedHashSet<>();

    private ClassPaths() {}

    /** Adds {@code path} unless it was added before; true when it was new. */
    public static synchronized boolean add(MagicContext context, Path path) {
        Path normal = path.toAbsolutePath().normalize();
        if (!ADDED.add(normal)) {
            return false;
        }
        context.addToClasspath(normal);
        return true;
    }

    public static synchronized List<Path> added() {
        return new ArrayList<>(ADDED);
    }
}
