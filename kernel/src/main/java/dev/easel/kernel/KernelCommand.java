package dev.easel.kernel;

import dev.easel.engine.cli.Subcommand;
import dev.easel.kernel.channels.ConnectionInfo;
import dev.easel.kernel.history.HistoryStore;
import java.nio.file.Path;
import java.util.List;

/** {@code kernel <connection_file>}: what the kernelspec runs. */
public final class KernelCommand implements Subcommand {

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public String summary() {
        return "run the Jupyter kernel (Jupyter starts it with a connection file: kernel <connection_file>)";
    }

    @Override
    public int run(List<String> args) throws Exception {
        if (args.size() != 1 || args.get(0).startsWith("-")) {
            System.out.println("usage: java -jar easel.jar kernel <connection_file>\n"
                    + "Jupyter runs this through the kernelspec that 'install' writes; history goes to "
                    + HistoryStore.defaultFile());
            return args.size() == 1 && args.get(0).equals("--help") ? 0 : 2;
        }
        ConnectionInfo connection = ConnectionInfo.read(Path.of(args.get(0)));
        new Kernel(connection, HistoryStore.defaultFile()).run();
        return 0;
    }
}
