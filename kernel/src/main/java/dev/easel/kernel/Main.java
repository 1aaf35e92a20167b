package dev.easel.kernel;

import dev.easel.engine.cli.Subcommand;
import dev.easel.engine.memory.HugePages;
import dev.easel.kernel.base.Version;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;

/**
 * {@code java -jar easel.jar NAME args…}: dispatches to the {@link Subcommand} of that name, found with
 * {@link ServiceLoader} in every module ({@code install}, {@code kernel} here; {@code txt2img} … in the engine).
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // DJL logs through slf4j-simple to stderr, which a notebook shows in red under the cell that loaded a
        // model ("Failed to detect GPU count…"). Errors only, unless the user asks for more.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        System.exit(run(args));
    }

    static int run(String[] args) {
        List<Subcommand> commands = subcommands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(usage(commands));
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version") || args[0].equals("-V")) {
            System.out.println("easel " + Version.get() + " (Java " + Runtime.version() + ")");
            return 0;
        }
        for (Subcommand command : commands) {
            if (command.name().equals(args[0])) {
                HugePages.enableInLibTorch(); // before anything reaches libtorch: it reads the switch once
                try {
                    return command.run(List.of(Arrays.copyOfRange(args, 1, args.length)));
                } catch (IllegalArgumentException e) {
                    System.err.println("easel " + command.name() + ": " + e.getMessage());
                    return 2;
                } catch (Exception e) {
                    System.err.println("easel " + command.name() + " failed: " + e);
                    e.printStackTrace();
                    return 1;
                }
            }
        }
        System.err.println("easel: unknown subcommand '" + args[0] + "'; run with --help to list them");
        return 2;
    }

    static List<Subcommand> subcommands() {
        List<Subcommand> commands = new ArrayList<>();
        ServiceLoader.load(Subcommand.class, Main.class.getClassLoader()).forEach(commands::add);
        commands.sort((a, b) -> a.name().compareTo(b.name()));
        return commands;
    }

    static String usage(List<Subcommand> commands) {
        StringBuilder text = new StringBuilder("Easel " + Version.get()
                + " — a Jupyter kernel for Java with a Stable Diffusion engine inside\n\n"
                + "usage: java -jar easel.jar <subcommand> [args…]\n"
                + "       java -jar easel.jar --help | --version\n\nsubcommands:\n");
        int width = commands.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Subcommand command : commands) {
            text.append("  ")
                    .append(command.name())
                    .append(" ".repeat(width - command.name().length() + 2))
                    .append(command.summary())
                    .append('\n');
        }
        text.append("\nRun a subcommand with --help for its options.");
        return text.toString();
    }
}
