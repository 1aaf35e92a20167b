package dev.easel.notebook;

import java.util.ArrayList;
import java.util.List;

/** Placeholder until the engine's pipeline lands: the models loaded in this kernel. */
public final class ModelRegistry {

    private static final ModelRegistry GLOBAL = new ModelRegistry();

    public static ModelRegistry global() {
        return GLOBAL;
    }

    /** One line per loaded model. */
    public List<String> describe() {
        return new ArrayList<>();
    }
}
