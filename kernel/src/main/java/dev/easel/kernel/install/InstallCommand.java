package dev.easel.kernel.install;

import dev.easel.engine.cli.Subcommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code install [--user | --sys-prefix | --prefix DIR] [--name N] [--display-name D] [--jvm-arg A]… [--java PATH]}. */
public final class InstallCommand implements Subcommand {

    static final String USAGE = """
            usage: java -jar easel.jar install [--user | --sys-prefix | --prefix DIR] [--name easel]
                   [--display-name "Java (Easel)"] [--jvm-arg ARG]… [--java PATH]

              --user            install for this user (default): $JUPYTER_DATA_DIR or ~/.local/share/jupyter
              --sys-prefix      install into the Python environment that runs Jupyter (<sys.prefix>/share/jupyter)
              --prefix DIR      install into DIR/share/jupyter
              --name N          kernel name (default easel)
              --display-name D  name shown in Jupyter (default "Java (Easel)")
              --jvm-arg ARG     extra JVM option, repeatable; an -Xmx here replaces the default %s
              --java PATH       java binary to run the kernel with (default: the one running this)
              --class-path CP   run Easel from this class path instead of the jar (for development and tests)
              --no-cds          skip recording the class-data archive that speeds up kernel start
            """.formatted(KernelSpecInstaller.DEFAULT_HEAP);

    @Override
    public String name() {
        return "install";
    }

    @Override
    public String summary() {
        return "install the Jupyter kernelspec (default: for this user, name 'easel')";
    }

    @Override
    public int run(List<String> args) throws Exception {
        Path kernels = JupyterPaths.userKernels();
        String name = "easel";
        String displayName = "Java (Easel)";
        String java = KernelSpecInstaller.currentJava();
        String classPath = null;
        List<String> jvmArgs = new ArrayList<>();
        boolean cds = true;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                case "--user" -> kernels = JupyterPaths.userKernels();
                case "--sys-prefix" -> kernels = JupyterPaths.sysPrefixKernels();
                case "--prefix" -> kernels = JupyterPaths.prefixKernels(Path.of(value(args, ++i, arg)));
                case "--name" -> name = value(args, ++i, arg);
                case "--display-name" -> displayName = value(args, ++i, arg);
                case "--jvm-arg" -> jvmArgs.add(value(args, ++i, arg));
                case "--java" -> java = value(args, ++i, arg);
                case "--class-path" -> classPath = value(args, ++i, arg);
                case "--no-cds" -> cds = false;
                default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(
                    "a kernel name may use letters, digits, '.', '_' and '-', got '" + name + "'");
        }
        KernelSpecInstaller.Spec spec = new KernelSpecInstaller.Spec(name, displayName, java, jvmArgs, classPath);
        Path dir = KernelSpecInstaller.install(kernels, spec);
        if (cds) {
            System.out.println("Recording a class-data archive for faster kernel start…");
            if (!KernelSpecInstaller.addClassDataArchive(dir, spec)) {
                System.out.println("(could not record it; the kernel starts without it)");
            }
        }
        System.out.println("Installed kernelspec " + name + " in " + dir);
        return 0;
    }

    static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(index);
    }
}
