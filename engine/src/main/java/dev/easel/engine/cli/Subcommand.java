package dev.easel.engine.cli;

import java.util.List;

/**
 * One subcommand of the runnable jar ({@code java -jar easel.jar NAME args…}).
 *
 * <p>Each module registers its own subcommands in {@code META-INF/services/dev.easel.engine.cli.Subcommand}, so the
 * code of {@code txt2img} lives in the engine, {@code install} in the kernel, and the jar's {@code Main} only
 * dispatches. It sits in the engine because that is the module every other one can see.
 */
public interface Subcommand {

    /** The word typed after {@code easel.jar}, e.g. {@code txt2img}. */
    String name();

    /** One line for {@code easel.jar --help}. */
    String summary();

    /**
     * Runs the subcommand.
     *
     * @param args the arguments after the subcommand's name
     * @return the process exit code: 0 for success, 2 for bad usage, 1 for any other failure
     */
    int run(List<String> args) throws Exception;
}
