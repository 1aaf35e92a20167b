package dev.easel.kernel.channels;

import dev.easel.kernel.base.Log;
import dev.easel.kernel.protocol.Channel;
import dev.easel.kernel.protocol.MalformedMessageException;
import dev.easel.kernel.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The five kernel sockets and the one thread that owns them. That thread blocks in a single {@link ZMQ.Poller} over
 * shell, control, stdin, heartbeat and an in-process "outbox" socket: requests are decoded and handed to the
 * {@link Listener}; messages other threads {@link #send} are queued and moved into the outbox by one sender thread,
 * so no ZeroMQ socket is ever touched by two threads, nothing sleeps waiting for work, and a cell's thread with its
 * interrupt flag set never touches ZeroMQ (an interrupted thread would close JeroMQ's NIO pipes).
 */
public final class KernelSockets implements AutoCloseable {

    /** Receives every well-formed, correctly signed message, on the socket thread. Must not block. */
    public interface Listener {
        void onMessage(Channel channel, Message message);
    }

    private static final String OUTBOX = "inproc://easel-outbox";

    private final ZContext context = new ZContext(1);
    private final WireCodec codec;
    private final ZMQ.Socket shell;
    private final ZMQ.Socket control;
    private final ZMQ.Socket stdin;
    private final ZMQ.Socket iopub;
    private final ZMQ.Socket heartbeat;
    private final ZMQ.Socket outboxIn;
    private final ZMQ.Socket outboxOut;
    private final BlockingQueue<List<byte[]>> outgoing = new LinkedBlockingQueue<>();
    private final Thread sender;
    private final DropLog dropped = new DropLog(Log::warn);
    private volatile boolean running = true;

    /**
     * Binds the five sockets of {@code info}.
     *
     * @throws ConnectionInfo.ConnectionFileException (one line) when a port is taken or the address refused
     */
    public KernelSockets(ConnectionInfo info) {
        this.codec = new WireCodec(new HmacSigner(info.key(), info.signatureScheme()));
        if (!info.signed()) {
            Log.warn("the connection file has no key, so messages are not signed: any process that can reach the"
                    + " kernel's ports can run code as you. Jupyter writes a key; give one unless you must not.");
        }
        try {
            shell = bind(SocketType.ROUTER, info, "shell_port", info.shellPort());
            control = bind(SocketType.ROUTER, info, "control_port", info.controlPort());
            stdin = bind(SocketType.ROUTER, info, "stdin_port", info.stdinPort());
            iopub = bind(SocketType.PUB, info, "iopub_port", info.iopubPort());
            heartbeat = bind(SocketType.REP, info, "hb_port", info.hbPort());
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        outboxIn = context.createSocket(SocketType.PULL);
        outboxIn.setLinger(1000);
        outboxIn.bind(OUTBOX);
        outboxOut = context.createSocket(SocketType.PUSH);
        outboxOut.setLinger(1000);
        outboxOut.connect(OUTBOX);
        sender = new Thread(this::sendLoop, "easel-outbox");
        sender.setDaemon(true);
        sender.start();
    }

    /** Moves queued messages into the outbox; the only thread that uses {@link #outboxOut}. */
    private void sendLoop() {
        while (true) {
            List<byte[]> frames;
            try {
                frames = outgoing.take();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < frames.size(); i++) {
                outboxOut.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
            }
            if (frames.size() == 1) {
                return; // the stop marker: nothing is sent after it
            }
        }
    }

    private ZMQ.Socket bind(SocketType type, ConnectionInfo info, String name, int port) {
        ZMQ.Socket socket = context.createSocket(type);
        socket.setLinger(1000);
        socket.setIPv6(info.ipv6());
        try {
            socket.bind(info.address(port));
        } catch (ZMQException e) {
            // JeroMQ reports any failed bind as "Address already in use"; the address was checked when read, so it is
            // the port — taken, typically by a kernel that did not end, or by another program.
            throw new ConnectionInfo.ConnectionFileException(name + " " + port + " on " + info.ip()
                    + " cannot be bound (" + e.getMessage().replaceFirst("^Errno \\d+ : ", "") + "): another process"
                    + " listens there; let Jupyter pick free ports (restart the kernel) or end that process");
        }
        return socket;
    }

    /** Runs the socket loop on the calling thread until {@link #stop}. */
    public void run(Listener listener) {
        ZMQ.Socket[] sockets = {shell, control, stdin, heartbeat, outboxIn};
        Channel[] channels = {Channel.SHELL, Channel.CONTROL, Channel.STDIN, Channel.HEARTBEAT, null};
        try (ZMQ.Poller poller = context.createPoller(sockets.length)) {
            for (ZMQ.Socket socket : sockets) {
                poller.register(socket, ZMQ.Poller.POLLIN);
            }
            boolean stopped = false;
            while (!stopped && !Thread.currentThread().isInterrupted()) {
                if (poller.poll(-1) < 0) {
                    break;
                }
                for (int i = 0; i < sockets.length; i++) {
                    if (!poller.pollin(i)) {
                        continue;
                    }
                    List<byte[]> frames = receive(sockets[i]);
                    if (channels[i] == Channel.HEARTBEAT) {
                        heartbeat.send(frames.get(0));
                    } else if (channels[i] == null) {
                        stopped |= forward(frames);
                    } else {
                        dispatch(listener, channels[i], frames);
                    }
                }
            }
        } catch (ZMQException e) {
            if (running) {
                throw e;
            }
        }
    }

    private void dispatch(Listener listener, Channel channel, List<byte[]> frames) {
        Message message;
        try {
            message = codec.decode(frames);
        } catch (MalformedMessageException e) {
            dropped.dropped(channel.name().toLowerCase(), e.getMessage());
            return;
        }
        try {
            listener.onMessage(channel, message);
        } catch (RuntimeException e) {
            Log.error("handling " + message + " failed", e);
        }
    }

    /**
     * Sends from the outbox: the first frame names the channel, the rest is the encoded message. A lone frame is
     * {@link #stop}'s marker, which arrives after everything queued before it (the shutdown reply included).
     *
     * @return true for the stop marker
     */
    private boolean forward(List<byte[]> frames) {
        if (frames.size() < 2) {
            return true;
        }
        Channel channel = Channel.valueOf(new String(frames.get(0), StandardCharsets.US_ASCII));
        ZMQ.Socket socket = switch (channel) {
            case SHELL -> shell;
            case CONTROL -> control;
            case STDIN -> stdin;
            case IOPUB -> iopub;
            case HEARTBEAT -> throw new IllegalArgumentException("nothing is sent on heartbeat");
        };
        for (int i = 1; i < frames.size(); i++) {
            socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
        }
        return false;
    }

    private static List<byte[]> receive(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        do {
            frames.add(socket.recv(0));
        } while (socket.hasReceiveMore());
        return frames;
    }

    /** Queues {@code message} for {@code channel}; safe from any thread. IOPub messages get a topic as identity. */
    public void send(Channel channel, Message message) {
        if (channel == Channel.IOPUB) {
            message = new Message(
                    List.of(("kernel." + message.header().msgType()).getBytes(StandardCharsets.UTF_8)),
                    message.header(),
                    message.parentHeader(),
                    message.metadata(),
                    message.content(),
                    message.buffers());
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(channel.name().getBytes(StandardCharsets.US_ASCII));
        frames.addAll(codec.encode(message));
        if (running) {
            outgoing.add(frames);
        }
    }

    /** Ends {@link #run} after what is queued has been sent. */
    public void stop() {
        running = false;
        outgoing.add(List.of("STOP".getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void close() {
        dropped.flush();
        sender.interrupt();
        context.close();
    }
}
