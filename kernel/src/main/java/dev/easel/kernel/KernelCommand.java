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
        if (args.equals(List.of("--warm-up"))) {
            warmUp();
            return 0;
        }
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

    /**
     * Exercises what a kernel's start and first cells load (JSON, signing, JShell and javac), without sockets. The
     * installer runs it once under {@code -XX:ArchiveClassesAtExit} to record a class-data archive that makes every
     * later kernel start faster.
     */
    static void warmUp() {
        var codec = new dev.easel.kernel.channels.WireCodec(new dev.easel.kernel.channels.HmacSigner("warm-up", null));
        var request = new dev.easel.kernel.protocol.Message(List.of(),
                dev.easel.kernel.protocol.Header.create(dev.easel.kernel.protocol.MessageType.KERNEL_INFO_REQUEST, "w"),
                dev.easel.kernel.protocol.Json.object(), dev.easel.kernel.protocol.Json.object(),
                dev.easel.kernel.protocol.Json.object(), List.of());
        var decoded = codec.decode(codec.encode(request));
        codec.encode(decoded.child(dev.easel.kernel.protocol.MessageType.KERNEL_INFO_REPLY,
                dev.easel.kernel.handlers.KernelInfoHandler.info()));
        codec.encode(decoded.child(dev.easel.kernel.protocol.MessageType.EXECUTE_REQUEST,
                new dev.easel.kernel.protocol.Contents.ExecuteRequest("1+1", false, true, null, true, true)));
        try (var interpreter = new dev.easel.kernel.interpreter.JShellInterpreter(KernelCommand.class.getClassLoader())) {
            var output = new dev.easel.kernel.interpreter.Interpreter.CellOutput() {
                @Override
                public void result(dev.easel.display.MimeBundle value) {
                    codec.encode(decoded.child(dev.easel.kernel.protocol.MessageType.EXECUTE_RESULT,
                            new dev.easel.kernel.protocol.Contents.ExecuteResult(1, value.data(), value.metadata())));
                }

                @Override
                public void error(dev.easel.kernel.interpreter.Interpreter.ErrorInfo error) {
                }
            };
            for (String cell : List.of("1 + 1", "int x = 2;", "\"text\" + x", "List.of(1, 2)",
                    "void f() { }", "int bad = \"\";")) {
                interpreter.execute(cell, output);
            }
            interpreter.complete("Math.ab", 7);
            interpreter.isComplete("void f() {");
        }
    }
}
