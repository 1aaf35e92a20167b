package dev.easel.kernel;

import dev.easel.display.Display;
import dev.easel.kernel.base.Log;
import dev.easel.kernel.base.Version;
import dev.easel.kernel.channels.ConnectionInfo;
import dev.easel.kernel.channels.KernelSockets;
import dev.easel.kernel.comm.Comm;
import dev.easel.kernel.comm.CommManager;
import dev.easel.kernel.display.KernelDisplaySink;
import dev.easel.kernel.handlers.CommHandlers;
import dev.easel.kernel.handlers.CompleteHandler;
import dev.easel.kernel.handlers.ExecuteHandler;
import dev.easel.kernel.handlers.Handler;
import dev.easel.kernel.handlers.HistoryHandler;
import dev.easel.kernel.handlers.InspectHandler;
import dev.easel.kernel.handlers.InterruptHandler;
import dev.easel.kernel.handlers.IsCompleteHandler;
import dev.easel.kernel.handlers.KernelInfoHandler;
import dev.easel.kernel.handlers.ShutdownHandler;
import dev.easel.kernel.history.HistoryStore;
import dev.easel.kernel.interpreter.CellThreadGroup;
import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.interpreter.JShellInterpreter;
import dev.easel.kernel.interpreter.KernelInput;
import dev.easel.kernel.interpreter.OutputCapture;
import dev.easel.kernel.protocol.Channel;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Message;
import dev.easel.kernel.protocol.MessageType;
import dev.easel.kernel.protocol.Request;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Wiring: sockets, the interpreter, output capture, displays, comms and history, and the table of handlers.
 *
 * <p>Threads: the socket thread receives everything; control requests and {@code kernel_info} are handled right
 * there (so interrupt and shutdown work while a cell runs); other shell requests run one at a time on the shell
 * thread, which also builds the interpreter at start-up (so the first {@code kernel_info_reply} does not wait for
 * JShell).
 */
public final class Kernel {

    /** How long after the last shell request the idle kernel collects its garbage and hands free heap back. */
    public static final long IDLE_COLLECTION_SECONDS = 2;

    /**
     * Lines printed into nowhere at start-up, so that a cell printing 10,000 lines does not run the print path
     * interpreted.
     */
    private static final int PRINT_WARM_UP_LINES = 20_000;

    private final KernelSockets sockets;
    private final OutputCapture capture;
    private final KernelInput input = new KernelInput();
    private final KernelDisplaySink displays;
    private final HistoryStore history;
    /** Runs cells: in a {@link CellThreadGroup}, so what their background threads die of reaches the notebook. */
    private final ExecutorService shell =
            Executors.newSingleThreadExecutor(new CellThreadGroup().factory("easel-shell"));

    private final CompletableFuture<Interpreter> interpreter = new CompletableFuture<>();
    private final AtomicBoolean interpreterStarted = new AtomicBoolean();
    private final AtomicLong received = new AtomicLong();
    private final Map<MessageType, Handler> handlers = new EnumMap<>(MessageType.class);
    private final ExecuteHandler execute;
    private volatile Request lastRequest;
    private final ScheduledExecutorService idle = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "easel-idle");
        thread.setDaemon(true);
        return thread;
    });
    private volatile ScheduledFuture<?> idleCollection;

    public Kernel(ConnectionInfo connection, Path historyFile) {
        Log.stream(); // the real stderr, before it is redirected
        this.sockets = new KernelSockets(connection);
        this.capture = new OutputCapture((name, text) -> Log.stream().print(text));
        capture.install();
        System.setIn(input);
        this.displays = new KernelDisplaySink(capture);
        Display.setSink(displays);
        this.history = new HistoryStore(historyFile);
        idle.submit(() -> {}); // its thread starts here, not inside some cell's thread group
        CommManager.global().setPublisher(new CommPublisher());

        Supplier<Interpreter> ready = interpreter::join;
        Supplier<Optional<Interpreter>> ifReady = () -> Optional.ofNullable(interpreter.getNow(null));
        this.execute = new ExecuteHandler(ready, capture, input, displays, history, received);
        handlers.put(MessageType.KERNEL_INFO_REQUEST, new KernelInfoHandler());
        handlers.put(MessageType.EXECUTE_REQUEST, execute);
        handlers.put(MessageType.COMPLETE_REQUEST, new CompleteHandler(ready));
        handlers.put(MessageType.INSPECT_REQUEST, new InspectHandler(ready));
        handlers.put(MessageType.IS_COMPLETE_REQUEST, new IsCompleteHandler(ready));
        handlers.put(MessageType.HISTORY_REQUEST, new HistoryHandler(history));
        handlers.put(MessageType.COMM_INFO_REQUEST, CommHandlers.info(CommManager.global()));
        handlers.put(MessageType.COMM_OPEN, CommHandlers.open(CommManager.global()));
        handlers.put(MessageType.COMM_MSG, CommHandlers.message(CommManager.global()));
        handlers.put(MessageType.COMM_CLOSE, CommHandlers.close(CommManager.global()));
        handlers.put(MessageType.SHUTDOWN_REQUEST, new ShutdownHandler(this::shutdown));
        handlers.put(MessageType.INTERRUPT_REQUEST, new InterruptHandler(ifReady));
    }

    /** Serves until a {@code shutdown_request}. */
    public void run() {
        Log.info("Easel kernel " + Version.get() + " on Java " + Runtime.version() + ", history session "
                + history.session());
        // JShell (javac) starts after the first kernel_info_reply, which clients wait for before anything else, so
        // it does not compete with the kernel's own start-up for the CPU; at the latest one second from now.
        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(this::startInterpreter);
        try {
            sockets.run(this::onMessage);
        } finally {
            interpreter.thenAccept(Interpreter::close);
            sockets.close();
        }
    }

    private void onMessage(Channel channel, Message message) {
        long sequence = received.incrementAndGet();
        Optional<MessageType> type = message.type();
        if (channel == Channel.STDIN) {
            if (type.orElse(null) == MessageType.INPUT_REPLY) {
                execute.inputReply(message.content(Contents.InputReply.class).value());
            } else {
                Log.warn("ignored " + message.header().msgType() + " on stdin");
            }
            return;
        }
        Request request = new Request(channel, message, sequence, sockets::send);
        if (channel == Channel.CONTROL || type.orElse(null) == MessageType.KERNEL_INFO_REQUEST) {
            dispatch(request);
            startInterpreter();
        } else {
            startInterpreter();
            shell.execute(() -> dispatch(request));
        }
    }

    /** Busy, the handler, idle; a request without a handler still gets a reply. */
    private void dispatch(Request request) {
        lastRequest = request;
        if (request.channel() == Channel.SHELL) {
            cancelIdleCollection(); // a full GC takes ~100 ms here: never in the middle of a request
        }
        request.publish(MessageType.STATUS, new Contents.KernelStatus("busy"));
        String name = request.message().header().msgType();
        try {
            Handler handler = request.message().type().map(handlers::get).orElse(null);
            if (handler == null) {
                Log.warn("no handler for " + name + " on "
                        + request.channel().name().toLowerCase());
                if (name.endsWith("_request")) {
                    request.replyUnknown(Map.of(
                            "status",
                            "error",
                            "ename",
                            "UnknownMessageType",
                            "evalue",
                            "Easel does not handle " + name,
                            "traceback",
                            List.of()));
                }
            } else {
                long start = System.nanoTime();
                handler.handle(request);
                Log.debug(name + " handled in " + (System.nanoTime() - start) / 1000 + " µs");
            }
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            Log.error("handling " + name + " failed", e);
            if (name.endsWith("_request")) {
                request.replyUnknown(Map.of(
                        "status",
                        "error",
                        "ename",
                        e.getClass().getSimpleName(),
                        "evalue",
                        String.valueOf(e.getMessage()),
                        "traceback",
                        List.of()));
            }
        } finally {
            request.publish(MessageType.STATUS, new Contents.KernelStatus("idle"));
            if (request.channel() == Channel.SHELL) {
                collectWhenIdle();
            }
        }
    }

    /**
     * {@link #IDLE_COLLECTION_SECONDS} after the last shell request, one full GC, so that with the serial collector's
     * free-ratio settings the heap a cell grew is handed back to the OS while the notebook sits idle.
     */
    private void collectWhenIdle() {
        cancelIdleCollection();
        idleCollection = idle.schedule(System::gc, IDLE_COLLECTION_SECONDS, TimeUnit.SECONDS);
    }

    private void cancelIdleCollection() {
        ScheduledFuture<?> previous = idleCollection;
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void startInterpreter() {
        if (interpreterStarted.compareAndSet(false, true)) {
            shell.execute(() -> {
                try {
                    JShellInterpreter created = new JShellInterpreter(Kernel.class.getClassLoader());
                    created.warmUp();
                    capture.warmUp(PRINT_WARM_UP_LINES); // before any cell can print
                    interpreter.complete(created);
                } catch (RuntimeException | Error e) {
                    Log.error("JShell could not start", e);
                    interpreter.completeExceptionally(e);
                }
            });
        }
    }

    private void shutdown() {
        Optional.ofNullable(interpreter.getNow(null)).ifPresent(Interpreter::interrupt);
        sockets.stop();
    }

    /** Kernel-side comm events, published under the running (or last) cell's request, else the last request. */
    private final class CommPublisher implements CommManager.Publisher {

        @Override
        public void open(Comm comm, Map<String, Object> data) {
            publish(MessageType.COMM_OPEN, new Contents.CommOpen(comm.id(), comm.targetName(), data, null));
        }

        @Override
        public void message(Comm comm, Map<String, Object> data) {
            publish(MessageType.COMM_MSG, new Contents.CommMsg(comm.id(), data));
        }

        @Override
        public void close(Comm comm, Map<String, Object> data) {
            publish(MessageType.COMM_CLOSE, new Contents.CommClose(comm.id(), data));
        }

        private void publish(MessageType type, Object content) {
            Request parent = displays.parent() != null ? displays.parent() : lastRequest;
            if (parent != null) {
                capture.flush();
                parent.publish(type, content);
            }
        }
    }
}
