package dev.easel.kernel.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * One Jupyter message: the routing identities, the header, the parent header (kept as the client sent it), metadata,
 * content and binary buffers.
 */
public record Message(
        List<byte[]> identities,
        Header header,
        ObjectNode parentHeader,
        ObjectNode metadata,
        ObjectNode content,
        List<byte[]> buffers) {

    public Optional<MessageType> type() {
        return MessageType.byName(header.msgType());
    }

    public <T> T content(Class<T> type) {
        return Json.read(content, type);
    }

    /** A message of {@code type} answering (or caused by) this one, in the same session, to the same identities. */
    public Message child(MessageType type, Object content) {
        return child(type.wireName(), content);
    }

    /** As {@link #child(MessageType, Object)}, for a type name outside the table (a reply to an unknown request). */
    public Message child(String msgType, Object content) {
        return new Message(
                identities,
                Header.create(msgType, header.session()),
                Json.tree(header),
                Json.object(),
                Json.tree(content),
                List.of());
    }

    @Override
    public String toString() {
        return header.msgType() + " " + header.msgId();
    }
}
