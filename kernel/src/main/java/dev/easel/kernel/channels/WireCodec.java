package dev.easel.kernel.channels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.kernel.protocol.Header;
import dev.easel.kernel.protocol.Json;
import dev.easel.kernel.protocol.MalformedMessageException;
import dev.easel.kernel.protocol.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frames ↔ {@link Message}: {@code ident… <IDS|MSG> signature header parent_header metadata content buffers…}.
 * Decoding checks the signature before it parses any JSON, so an unsigned message is never interpreted, and refuses a
 * signature it has accepted before (a replayed message), on any socket.
 */
public final class WireCodec {

    public static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);

    /** How many signatures are remembered against replay, as jupyter_client's {@code Session.digest_history_size}. */
    public static final int DIGEST_HISTORY = 1 << 16;

    private final HmacSigner signer;
    private final DigestHistory seen = new DigestHistory(DIGEST_HISTORY);

    /** One codec per kernel: the signatures it has accepted are remembered across all its sockets and clients. */
    public WireCodec(HmacSigner signer) {
        this.signer = signer;
    }

    public List<byte[]> encode(Message message) {
        byte[] header = Json.bytes(Json.tree(message.header()));
        byte[] parent = Json.bytes(message.parentHeader());
        byte[] metadata = Json.bytes(message.metadata());
        byte[] content = Json.bytes(message.content());
        List<byte[]> frames = new ArrayList<>(message.identities());
        frames.add(DELIMITER);
        frames.add(signer.sign(header, parent, metadata, content).getBytes(StandardCharsets.US_ASCII));
        frames.add(header);
        frames.add(parent);
        frames.add(metadata);
        frames.add(content);
        frames.addAll(message.buffers());
        return frames;
    }

    /** @throws MalformedMessageException for missing frames, a bad signature or JSON that is not a message */
    public Message decode(List<byte[]> frames) {
        int delimiter = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(frames.get(i), DELIMITER)) {
                delimiter = i;
                break;
            }
        }
        if (delimiter < 0) {
            throw new MalformedMessageException("no <IDS|MSG> delimiter among " + frames.size() + " frames");
        }
        if (frames.size() < delimiter + 6) {
            throw new MalformedMessageException(
                    "expected signature and 4 JSON frames after <IDS|MSG>, got " + (frames.size() - delimiter - 1));
        }
        byte[] signature = frames.get(delimiter + 1);
        byte[] header = frames.get(delimiter + 2);
        byte[] parent = frames.get(delimiter + 3);
        byte[] metadata = frames.get(delimiter + 4);
        byte[] content = frames.get(delimiter + 5);
        if (!signer.verify(signature, header, parent, metadata, content)) {
            throw new MalformedMessageException(signature.length == 0 ? "missing signature" : "bad signature");
        }
        if (signer.enabled() && !seen.add(signature)) {
            // A captured message sent again must not run again: each signature is accepted once.
            throw new MalformedMessageException("replayed message: its signature was already used");
        }
        Header parsedHeader;
        try {
            parsedHeader = Json.MAPPER.treeToValue(object(header, "header"), Header.class);
        } catch (IOException e) {
            throw new MalformedMessageException("bad header: " + e.getMessage());
        }
        if (parsedHeader.msgType() == null || parsedHeader.msgId() == null) {
            throw new MalformedMessageException("header without msg_type or msg_id");
        }
        return new Message(
                List.copyOf(frames.subList(0, delimiter)),
                parsedHeader,
                object(parent, "parent_header"),
                object(metadata, "metadata"),
                object(content, "content"),
                List.copyOf(frames.subList(delimiter + 6, frames.size())));
    }

    private static ObjectNode object(byte[] json, String what) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            if (node instanceof ObjectNode object) {
                return object;
            }
            throw new MalformedMessageException(what + " is not a JSON object");
        } catch (IOException e) {
            throw new MalformedMessageException(what + " is not JSON: " + e.getMessage());
        }
    }
}
