package dev.easel.magics;

import java.util.List;

/**
 * One magic, e.g. {@code %txt2img}. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.easel.magics.Magic}), so a jar on the class path can add its own.
 */
public interface Magic {

    /** The name without percent signs, e.g. {@code txt2img}. */
    String name();

    /** One line for {@code %lsmagic}. */
    String summary();

    /** The full help shown by {@code %name --help} and {@code %name?}: usage, options, an example. */
    String help();

    /** Whether {@code %name} is accepted. */
    default boolean isLineMagic() {
        return true;
    }

    /** Whether {@code %%name} (with the rest of the cell as body) is accepted. */
    default boolean isCellMagic() {
        return false;
    }

    /** Option names (with their dashes) for Tab completion. */
    default List<String> optionNames() {
        return List.of();
    }

    /**
     * Values of one option for Tab completion (e.g. the samplers after {@code --sampler}), or — given a positional
     * argument's metavar — of that argument; empty when free-form.
     */
    default List<String> optionValues(String option) {
        return List.of();
    }

    /**
     * The metavar of {@code --option}'s value, or of the first positional argument when {@code option} is null, e.g.
     * {@code DIR}; Tab completion offers files and folders for DIR, PATH and FILE. Null when unknown.
     */
    default String metavar(String option) {
        return null;
    }

    /**
     * Runs the magic. Bad arguments and other user errors throw {@link MagicException} with a one-line message.
     */
    void run(CellPart.MagicCall call, MagicContext context) throws Exception;
}
