package dev.easel.kernel.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.cli.Subcommand;
import dev.easel.engine.io.Folders;
import dev.easel.kernel.Kernel;
import dev.easel.kernel.Main;
import dev.easel.kernel.channels.HmacSigner;
import dev.easel.kernel.channels.WireCodec;
import dev.easel.kernel.install.JupyterPaths;
import dev.easel.kernel.install.KernelSpecInstaller;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Header;
import dev.easel.kernel.protocol.Json;
import dev.easel.kernel.protocol.Message;
import dev.easel.kernel.protocol.MessageType;
import dev.easel.magics.NotebookImports;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@code bench-kernel}: starts the kernel as a separate process, drives it over ZeroMQ with the kernel's own protocol
 * classes, and prints start-up time, {@code 1+1} latency beside raw in-process JShell, a 10,000-line cell,
 * busy-loop interrupt time and idle memory. Figures, not a test: nothing fails on a slow machine.
 */
public final class KernelBenchmark implements Subcommand {

    private static final long TIMEOUT_MS = 60_000;

    @Override
    public String name() {
        return "bench-kernel";
    }

    @Override
    public String summary() {
        return "measure the kernel: start-up, 1+1 latency vs raw JShell, 10,000 lines, interrupt, idle memory";
    }

    @Override
    public int run(List<String> args) throws Exception {
        int runs = 200;
        String java = KernelSpecInstaller.currentJava();
        String kernelName = "easel";
        Path kernelLog = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--runs" -> runs = Integer.parseInt(args.get(++i));
                case "--java" -> java = args.get(++i);
                case "--kernel" -> kernelName = args.get(++i);
                case "--kernel-log" -> kernelLog = Path.of(args.get(++i));
                case "--help", "-h" -> {
                    System.out.println("usage: java -jar easel.jar bench-kernel [--runs 200] [--kernel easel]"
                            + " [--java PATH] [--kernel-log FILE]\n"
                            + "Starts the kernel the way the installed kernelspec --kernel does (argv from its\n"
                            + "kernel.json), or, with none installed, from this jar with --java (default: this JVM).\n"
                            + "--kernel-log keeps the kernel's log; with EASEL_DEBUG=1 in the environment it holds\n"
                            + "each request's and jshell.eval's time.");
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown option " + args.get(i));
            }
        }
        if (runs < 3) {
            throw new IllegalArgumentException("--runs " + runs + " is too few: give at least 3 (default 200)");
        }
        System.out.println("Easel kernel benchmark — Java " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        Results results;
        try (JShell raw = JShell.builder().executionEngine("local").build();
                JShell withImports = JShell.builder().executionEngine("local").build();
                JShell dropping = JShell.builder().executionEngine("local").build()) {
            NotebookImports.IMPORTS.forEach(withImports::eval);
            results = driveKernel(
                    kernelCommand(kernelName, java), runs, new JShell[] {raw, withImports, dropping}, kernelLog);
        }
        double[] raw = results.raw;
        double rawP50 = percentile(raw, 50);
        double p50 = percentile(results.execute, 50);
        System.out.println();
        row("kernel start → first kernel_info_reply", fmt(results.startMillis) + " ms", "≤ 1000 ms");
        row(
                "raw in-process JShell eval(\"1+1\") p50 / p95",
                fmt(rawP50) + " / " + fmt(percentile(raw, 95)) + " ms",
                "baseline");
        row(
                "  same, with the kernel's default imports",
                fmt(percentile(results.rawWithImports, 50)) + " / " + fmt(percentile(results.rawWithImports, 95))
                        + " ms",
                "(what javac pays for them)");
        double droppingP50 = percentile(results.rawDropping, 50);
        row(
                "  same, dropping each $N as the kernel does",
                fmt(droppingP50) + " / " + fmt(percentile(results.rawDropping, 95)) + " ms",
                "(JShell's floor without them)");
        row(
                "kernel execute 1+1 p50 / p95 (" + runs + " runs)",
                fmt(p50) + " / " + fmt(percentile(results.execute, 95)) + " ms",
                "p50 ≤ 1.15 × raw");
        row("  ratio p50 / raw p50", String.format("%.2f", p50 / rawP50), "≤ 1.15");
        row("  ratio p50 / raw p50 dropping $N", String.format("%.2f", p50 / droppingP50), "");
        row(
                "  protocol round trip p50: kernel_info / is_complete",
                fmt(percentile(results.protocol, 50)) + " / " + fmt(percentile(results.shellThread, 50)) + " ms",
                "(overhead floor)");
        row(
                "10,000-line cell (execute → idle), first / median of 5",
                fmt(results.linesMillis[0]) + " / " + fmt(percentile(results.linesMillis, 50)) + " ms",
                "≤ 100 ms");
        row(
                "  lines lost in 5 × 10,000; stream messages per cell",
                results.linesLost + "; " + results.streamMessages,
                "0 lost");
        row("busy-loop interrupt → execute_reply", fmt(results.interruptMillis) + " ms", "≤ 100 ms");
        row("idle RSS", results.rssMiB < 0 ? "n/a" : results.rssMiB + " MiB", "≤ 200 MiB");
        return 0;
    }

    private static void row(String what, String value, String target) {
        System.out.printf("%-48s %-40s %s%n", what, value, target);
    }

    private static String fmt(double millis) {
        return String.format("%.1f", millis);
    }

    static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }

    /**
     * JShell's own in-process cost for one {@code 1+1}: the floor for any JShell kernel. Each one leaves a temporary
     * {@code $N} that every later evaluation compiles against, so the figure grows with the run — unless
     * {@code dropTemporary}, as the kernel does.
     */
    private static double rawEval(JShell jshell, boolean dropTemporary) {
        long start = System.nanoTime();
        List<SnippetEvent> events = jshell.eval("1+1");
        double millis = (System.nanoTime() - start) / 1e6;
        if (dropTemporary) {
            events.stream()
                    .map(SnippetEvent::snippet)
                    .filter(snippet -> snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND)
                    .forEach(jshell::drop);
        }
        return millis;
    }

    private record Results(
            double startMillis,
            double[] raw,
            double[] rawWithImports,
            double[] rawDropping,
            double[] execute,
            double[] protocol,
            double[] shellThread,
            double[] linesMillis,
            int linesLost,
            int streamMessages,
            double interruptMillis,
            long rssMiB) {}

    /** A kernel's command line and the environment it adds. */
    private record KernelLaunch(List<String> argv, Map<String, String> env) {}

    /**
     * The installed kernelspec's argv and env (so the figures include its JVM options, class-data archive and
     * environment), else our own.
     */
    private static KernelLaunch kernelCommand(String kernelName, String java) throws Exception {
        Path spec = JupyterPaths.userKernels().resolve(kernelName).resolve("kernel.json");
        if (Files.isRegularFile(spec)) {
            var json = Json.MAPPER.readTree(spec.toFile());
            List<String> argv = new ArrayList<>();
            json.get("argv").forEach(node -> argv.add(node.asText()));
            Map<String, String> env = new LinkedHashMap<>();
            json.path("env")
                    .fields()
                    .forEachRemaining(
                            field -> env.put(field.getKey(), field.getValue().asText()));
            System.out.println("kernel command from " + spec);
            return new KernelLaunch(argv, env);
        }
        List<String> command = new ArrayList<>(List.of(java, KernelSpecInstaller.DEFAULT_HEAP));
        command.addAll(KernelSpecInstaller.DEFAULT_JVM_OPTIONS);
        Path self = Path.of(
                Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(self)) {
            command.addAll(List.of("-jar", self.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        }
        command.addAll(List.of("kernel", "{connection_file}"));
        System.out.println("no kernelspec " + kernelName + " installed; kernel command: java "
                + KernelSpecInstaller.DEFAULT_HEAP + " … kernel");
        return new KernelLaunch(command, KernelSpecInstaller.ENVIRONMENT);
    }

    /** {@code jshells}: raw, with the default imports, dropping its temporaries. */
    private Results driveKernel(KernelLaunch launch, int runs, JShell[] jshells, Path kernelLog) throws Exception {
        String key = UUID.randomUUID().toString();
        int[] ports = freePorts(5);
        Map<String, Object> connection = new LinkedHashMap<>();
        connection.put("transport", "tcp");
        connection.put("ip", "127.0.0.1");
        connection.put("shell_port", ports[0]);
        connection.put("control_port", ports[1]);
        connection.put("stdin_port", ports[2]);
        connection.put("iopub_port", ports[3]);
        connection.put("hb_port", ports[4]);
        connection.put("key", key);
        connection.put("signature_scheme", "hmac-sha256");
        Path file = Files.createTempFile("easel-bench-", ".json");
        Path history = Files.createTempDirectory("easel-bench-data");
        Files.writeString(file, Json.MAPPER.writeValueAsString(connection));

        List<String> command = launch.argv().stream()
                .map(a -> a.replace("{connection_file}", file.toString()))
                .toList();
        WireCodec codec = new WireCodec(new HmacSigner(key, "hmac-sha256"));
        try (ZContext context = new ZContext()) {
            ZMQ.Socket shell = context.createSocket(SocketType.DEALER);
            ZMQ.Socket control = context.createSocket(SocketType.DEALER);
            ZMQ.Socket iopub = context.createSocket(SocketType.SUB);
            iopub.subscribe(new byte[0]);
            shell.connect("tcp://127.0.0.1:" + ports[0]);
            control.connect("tcp://127.0.0.1:" + ports[1]);
            iopub.connect("tcp://127.0.0.1:" + ports[3]);
            Client client = new Client(codec, shell, control, iopub);

            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(
                            kernelLog == null
                                    ? ProcessBuilder.Redirect.DISCARD
                                    : ProcessBuilder.Redirect.to(kernelLog.toFile()));
            builder.environment().putAll(launch.env());
            builder.environment().put("JUPYTER_DATA_DIR", history.toString());
            long launched = System.nanoTime();
            Process kernel = builder.start();
            try {
                Message info = client.request(shell, MessageType.KERNEL_INFO_REQUEST, new Contents.Empty());
                client.awaitReply(shell, info);
                double startMillis = (System.nanoTime() - launched) / 1e6;

                client.execute("1+1"); // waits for JShell's start-up and the iopub subscription
                for (int i = 0; i < 30; i++) {
                    client.execute("1+1");
                    rawEval(jshells[i % 3], i % 3 == 2);
                }
                // Interleaved, so both see the same machine load; this JVM's javac compiles as often as the
                // kernel's (a third each plain, with the imports, dropping), so neither is warmer than the other.
                double[] execute = new double[runs];
                double[][] rawTimes = {new double[(runs + 2) / 3], new double[(runs + 1) / 3], new double[runs / 3]};
                for (int i = 0; i < runs; i++) {
                    rawTimes[i % 3][i / 3] = rawEval(jshells[i % 3], i % 3 == 2);
                    long start = System.nanoTime();
                    client.execute("1+1");
                    execute[i] = (System.nanoTime() - start) / 1e6;
                }

                // The protocol alone: requests that cost the kernel next to nothing, through the socket thread
                // (kernel_info) and through the shell thread (is_complete), each with busy/idle and a reply.
                double[] protocol = new double[runs];
                double[] shellThread = new double[runs];
                for (int i = 0; i < runs; i++) {
                    long start = System.nanoTime();
                    client.roundTrip(MessageType.KERNEL_INFO_REQUEST, new Contents.Empty());
                    protocol[i] = (System.nanoTime() - start) / 1e6;
                    start = System.nanoTime();
                    client.roundTrip(MessageType.IS_COMPLETE_REQUEST, new Contents.IsCompleteRequest("1+1"));
                    shellThread[i] = (System.nanoTime() - start) / 1e6;
                }

                // The first 10,000-line cell runs the print path cold (interpreted); later ones show the steady state.
                double[] linesMillis = new double[5];
                int lost = 0;
                int streams = 0;
                for (int run = 0; run < linesMillis.length; run++) {
                    long linesStart = System.nanoTime();
                    List<ObjectNode> outputs =
                            client.execute("for (int i = 0; i < 10_000; i++) System.out.println(i);");
                    linesMillis[run] = (System.nanoTime() - linesStart) / 1e6;
                    StringBuilder text = new StringBuilder();
                    streams = 0;
                    for (ObjectNode output : outputs) {
                        if (output.has("name") && output.has("text")) {
                            text.append(output.get("text").asText());
                            streams++;
                        }
                    }
                    String[] lines = text.toString().split("\n");
                    for (int i = 0; i < 10_000; i++) {
                        if (i >= lines.length || !lines[i].equals(String.valueOf(i))) {
                            lost++;
                        }
                    }
                }

                Message loop = client.request(shell, MessageType.EXECUTE_REQUEST, executeContent("while (true) { }"));
                Thread.sleep(700);
                long interruptStart = System.nanoTime();
                client.request(control, MessageType.INTERRUPT_REQUEST, new Contents.Empty());
                client.awaitReply(shell, loop);
                double interruptMillis = (System.nanoTime() - interruptStart) / 1e6;
                client.awaitIdle(loop);

                // Idle as a notebook kernel is: after the collection that follows the last request, not racing it.
                Thread.sleep(TimeUnit.SECONDS.toMillis(Kernel.IDLE_COLLECTION_SECONDS) + 1000);
                long rss = rssMiB(kernel.pid());

                client.request(control, MessageType.SHUTDOWN_REQUEST, new Contents.ShutdownRequest(false));
                kernel.waitFor(10, TimeUnit.SECONDS);
                return new Results(
                        startMillis,
                        rawTimes[0],
                        rawTimes[1],
                        rawTimes[2],
                        execute,
                        protocol,
                        shellThread,
                        linesMillis,
                        lost,
                        streams,
                        interruptMillis,
                        rss);
            } finally {
                kernel.destroyForcibly();
                kernel.waitFor(10, TimeUnit.SECONDS); // its history file is written until it exits
                Files.deleteIfExists(file);
                Folders.deleteTree(history);
            }
        }
    }

    private static Contents.ExecuteRequest executeContent(String code) {
        return new Contents.ExecuteRequest(code, false, true, Map.of(), false, false);
    }

    private static long rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    private static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        return ports;
    }

    /** A minimal client over the kernel's own codec. */
    private static final class Client {

        private final WireCodec codec;
        private final ZMQ.Socket shell;
        private final ZMQ.Socket control;
        private final ZMQ.Socket iopub;
        private final String session = UUID.randomUUID().toString();

        Client(WireCodec codec, ZMQ.Socket shell, ZMQ.Socket control, ZMQ.Socket iopub) {
            this.codec = codec;
            this.shell = shell;
            this.control = control;
            this.iopub = iopub;
        }

        Message request(ZMQ.Socket socket, MessageType type, Object content) {
            Message message = new Message(
                    List.of(),
                    Header.create(type, session),
                    Json.object(),
                    Json.object(),
                    Json.tree(content),
                    List.of());
            List<byte[]> frames = codec.encode(message);
            for (int i = 0; i < frames.size(); i++) {
                socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
            }
            return message;
        }

        /** A request, its reply and the idle status after it. */
        void roundTrip(MessageType type, Object content) throws IOException {
            Message request = request(shell, type, content);
            awaitReply(shell, request);
            awaitIdle(request);
        }

        /** Runs a cell and returns the content of every output message, up to idle. */
        List<ObjectNode> execute(String code) throws IOException {
            Message request = request(shell, MessageType.EXECUTE_REQUEST, executeContent(code));
            awaitReply(shell, request);
            return awaitIdle(request);
        }

        Message awaitReply(ZMQ.Socket socket, Message request) throws IOException {
            while (true) {
                Message message = receive(socket);
                if (request.header()
                        .msgId()
                        .equals(message.parentHeader().path("msg_id").asText())) {
                    return message;
                }
            }
        }

        List<ObjectNode> awaitIdle(Message request) throws IOException {
            List<ObjectNode> outputs = new ArrayList<>();
            while (true) {
                Message message = receive(iopub);
                if (!request.header()
                        .msgId()
                        .equals(message.parentHeader().path("msg_id").asText())) {
                    continue;
                }
                if (message.header().msgType().equals("status")) {
                    if (message.content().path("execution_state").asText().equals("idle")) {
                        return outputs;
                    }
                } else {
                    outputs.add(message.content());
                }
            }
        }

        private Message receive(ZMQ.Socket socket) throws IOException {
            socket.setReceiveTimeOut((int) TIMEOUT_MS);
            List<byte[]> frames = new ArrayList<>();
            do {
                byte[] frame = socket.recv(0);
                if (frame == null) {
                    throw new IOException("no message from the kernel within " + TIMEOUT_MS / 1000 + " s");
                }
                frames.add(frame);
            } while (socket.hasReceiveMore());
            return codec.decode(frames);
        }
    }
}
