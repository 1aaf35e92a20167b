package dev.easel.kernel.install;

import dev.easel.engine.cli.Subcommand;
import java.nio.file.Path;
import java.util.List;

/** {@code uninstall [--user | --sys-prefix | --prefix DIR] [--name N]}. */
public final class UninstallCommand implements Subcommand {

    @Override
    public String name() {
        return "uninstall";
    }

    @Override
    public String summary() {
        return "remove the kernelspec that install wrote";
    }

    @Override
    public int run(List<String> args) throws Exception {
        Path kernels = JupyterPaths.userKernels();
        String name = "easel";
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    System.out.println(
                            "usage: java -jar easel.jar uninstall [--user | --sys-prefix | --prefix DIR] [--name easel]");
                    return 0;
                }
                case "--user" -> kernels = JupyterPaths.userKernels();
                case "--sys-prefix" -> kernels = JupyterPaths.sysPrefixKernels();
                case "--prefix" -> kernels = JupyterPaths.prefixKernels(Path.of(InstallCommand.value(args, ++i, arg)));
                case "--name" -> name = InstallCommand.value(args, ++i, arg);
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (KernelSpecInstaller.uninstall(kernels, name)) {
            System.out.println("Removed kernelspec " + name + " from " + kernels.resolve(name));
            return 0;
        }
        System.err.println("No kernelspec " + name + " in " + kernels + "; nothing removed");
        return 1;
    }
}
