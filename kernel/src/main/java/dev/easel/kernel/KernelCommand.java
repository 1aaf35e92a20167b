package dev.easel.kernel;

import dev.easel.display.MimeBundle;
import dev.easel.engine.cli.Subcommand;
import dev.easel.kernel.channels.ConnectionInfo;
import dev.easel.kernel.channels.HmacSigner;
import dev.easel.kernel.channels.WireCodec;
import dev.easel.kernel.handlers.KernelInfoHandler;
import dev.easel.kernel.history.HistoryStore;
import dev.easel.kernel.install.ClassDataArchive;
import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.interpreter.JShellInterpreter;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Header;
import dev.easel.kernel.protocol.Json;
import dev.easel.kernel.protocol.Message;
import dev.easel.kernel.protocol.MessageType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code kernel <connection_file>}: what the kernelspec runs. */
public final class KernelCommand implements Subcommand {

    private static final long ARCHIVE_CHECK_DELAY_SECONDS = 3;

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
        // Once the kernel has started, not while it starts: it reads /proc and may start a process.
        CompletableFuture.delayedExecutor(ARCHIVE_CHECK_DELAY_SECONDS, TimeUnit.SECONDS)
                .execute(ClassDataArchive::refreshIfUnused);
        new Kernel(connection, HistoryStore.defaultFile()).run();
        return 0;
    }

    /**
     * Exercises what a kernel's start and first cells load (JSON, signing, JShell and javac), without sockets. The
     * installer runs it once under {@code -XX:ArchiveClassesAtExit} to record a class-data archive that makes every
     * later kernel start faster.
     */
    static void warmUp() {
        var codec = new WireCodec(new HmacSigner("warm-up", null));
        var request = new Message(
                List.of(),
                Header.create(MessageType.KERNEL_INFO_REQUEST, "w"),
                Json.object(),
                Json.object(),
                Json.object(),
                List.of());
        var decoded = codec.decode(codec.encode(request));
        codec.encode(decoded.child(MessageType.KERNEL_INFO_REPLY, KernelInfoHandler.info()));
        codec.encode(decoded.child(
                MessageType.EXECUTE_REQUEST, new Contents.ExecuteRequest("1+1", false, true, null, true, true)));
        try (var interpreter = new JShellInterpreter(KernelCommand.class.getClassLoader())) {
            var output = new Interpreter.CellOutput() {
                @Override
                public void result(MimeBundle value) {
                    codec.encode(decoded.child(
                            MessageType.EXECUTE_RESULT, new Contents.ExecuteResult(1, value.data(), value.metadata())));
                }

                @Override
                public void error(Interpreter.ErrorInfo error) {}
            };
            for (String cell : List.of(
                    "1 + 1", "int x = 2;", "\"text\" + x", "List.of(1, 2)", "void f() { }", "int bad = \"\";")) {
                interpreter.execute(cell, output);
            }
            interpreter.complete("Math.ab", 7);
            interpreter.isComplete("void f() {");
        }
    }
}
