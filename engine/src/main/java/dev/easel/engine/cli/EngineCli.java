package dev.easel.engine.cli;

import dev.easel.engine.memory.HugePages;
import java.util.Arrays;
import java.util.ServiceLoader;

/**
 * Runs the engine's subcommands without the kernel's jar (for development):
 * {@code java -cp ... dev.easel.engine.cli.EngineCli txt2img --model ...}. Dispatches through the same
 * {@link ServiceLoader} registration the runnable jar uses.
 */
public final class EngineCli {

    private EngineCli() {}

    public static void main(String[] args) throws Exception {
        HugePages.enableInLibTorch(); // before anything reaches libtorch: it reads the switch once
        if (args.length == 0 || args[0].equals("--help")) {
            System.out.println("subcommands:");
            for (Subcommand s : ServiceLoader.load(Subcommand.class)) {
                System.out.println("  " + s.name() + "  " + s.summary());
            }
            System.exit(args.length == 0 ? 2 : 0);
        }
        for (Subcommand s : ServiceLoader.load(Subcommand.class)) {
            if (s.name().equals(args[0])) {
                System.exit(s.run(Arrays.asList(args).subList(1, args.length)));
            }
        }
        System.err.println("unknown subcommand " + args[0]);
        System.exit(2);
    }
}
