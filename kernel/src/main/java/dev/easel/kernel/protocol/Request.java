package dev.easel.kernel.protocol;

import java.util.function.BiConsumer;

/**
 * A request being handled: its message, the channel it came on, and how to answer it. Everything sent from here
 * has the request as its parent header.
 */
public final class Request {

    private final Channel channel;
    private final Message message;
    private final long sequence;
    private final BiConsumer<Channel, Message> transport;

    public Request(Channel channel, Message message, long sequence, BiConsumer<Channel, Message> transport) {
        this.channel = channel;
        this.message = message;
        this.sequence = sequence;
        this.transport = transport;
    }

    public Channel channel() {
        return channel;
    }

    public Message message() {
        return message;
    }

    /** The order in which the kernel received this request (for aborting queued cells after an error). */
    public long sequence() {
        return sequence;
    }

    public <T> T content(Class<T> type) {
        return message.content(type);
    }

    /** Sends the {@code *_reply} of this request on its own channel. */
    public void reply(Object content) {
        MessageType type = MessageType.byName(message.header().msgType())
                .map(MessageType::reply)
                .orElseThrow(() -> new IllegalStateException(
                        "no reply type for " + message.header().msgType()));
        transport.accept(channel, message.child(type, content));
    }

    /** Sends a reply named after an unknown request type ({@code foo_request} → {@code foo_reply}). */
    public void replyUnknown(Object content) {
        String name = message.header().msgType().replaceAll("_request$", "") + "_reply";
        transport.accept(channel, message.child(name, content));
    }

    /** Broadcasts on iopub. */
    public void publish(MessageType type, Object content) {
        transport.accept(Channel.IOPUB, message.child(type, content));
    }

    /** Sends on the stdin channel, to the client that sent this request. */
    public void sendStdin(MessageType type, Object content) {
        transport.accept(Channel.STDIN, message.child(type, content));
    }
}
