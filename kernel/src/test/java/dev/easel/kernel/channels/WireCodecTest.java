package dev.easel.kernel.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Header;
import dev.easel.kernel.protocol.Json;
import dev.easel.kernel.protocol.MalformedMessageException;
import dev.easel.kernel.protocol.Message;
import dev.easel.kernel.protocol.MessageType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireCodecTest {

    static final String KEY = "a0436f6c-1916-498b-8eb9-e81ab9368e84";
    final WireCodec codec = new WireCodec(new HmacSigner(KEY, "hmac-sha256"));

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    Message request() {
        return new Message(
                List.of(bytes("client-id")),
                Header.create(MessageType.EXECUTE_REQUEST, "s1"),
                Json.object(),
                Json.object(),
                Json.tree(new Contents.ExecuteRequest("1+1", false, true, null, true, true)),
                List.of());
    }

    @Test
    void signatureIsHexHmacOfTheConcatenatedFrames() {
        HmacSigner signer = new HmacSigner("key", "hmac-sha256");
        assertEquals(
                64, signer.sign(bytes("a"), bytes("b"), bytes("c"), bytes("d")).length(), "hex of 32 bytes");
        assertEquals(
                new HmacSigner("key", null).sign(bytes("abcd")),
                signer.sign(bytes("a"), bytes("b"), bytes("cd")),
                "the signature covers the concatenation of the frames");
        assertEquals("", new HmacSigner("", "hmac-sha256").sign(bytes("x")), "an empty key means no signing");
        assertTrue(new HmacSigner("", null).verify(new byte[0], bytes("x")));
    }

    @Test
    void knownVector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        assertEquals(
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                new HmacSigner("Jefe", "hmac-sha256").sign(bytes("what do ya want "), bytes("for nothing?")));
    }

    @Test
    void roundTripKeepsIdentitiesHeaderAndContent() {
        Message original = request();
        Message decoded = codec.decode(codec.encode(original));
        assertArrayEquals(bytes("client-id"), decoded.identities().get(0));
        assertEquals(original.header(), decoded.header());
        assertEquals("1+1", decoded.content(Contents.ExecuteRequest.class).code());
        List<byte[]> frames = codec.encode(original);
        assertArrayEquals(WireCodec.DELIMITER, frames.get(1));
    }

    @Test
    void tamperedContentIsRejected() {
        List<byte[]> frames = new ArrayList<>(codec.encode(request()));
        frames.set(frames.size() - 1, bytes("{\"code\": \"System.exit(0)\"}"));
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> codec.decode(frames));
        assertEquals("bad signature", e.getMessage());
    }

    @Test
    void wrongKeyAndMissingSignatureAreRejected() {
        List<byte[]> forged = new WireCodec(new HmacSigner("other-key", null)).encode(request());
        assertThrows(MalformedMessageException.class, () -> codec.decode(forged));
        List<byte[]> unsigned = new WireCodec(new HmacSigner("", null)).encode(request());
        assertEquals(
                "missing signature",
                assertThrows(MalformedMessageException.class, () -> codec.decode(unsigned))
                        .getMessage());
    }

    @Test
    void badFramesAreRejectedNotThrownAsSomethingElse() {
        assertThrows(MalformedMessageException.class, () -> codec.decode(List.of(bytes("no delimiter"))));
        assertThrows(MalformedMessageException.class, () -> codec.decode(List.of(WireCodec.DELIMITER, bytes("sig"))));
        WireCodec unsigned = new WireCodec(new HmacSigner("", null));
        List<byte[]> badJson =
                List.of(WireCodec.DELIMITER, bytes(""), bytes("{not json"), bytes("{}"), bytes("{}"), bytes("{}"));
        assertThrows(MalformedMessageException.class, () -> unsigned.decode(badJson));
        List<byte[]> notObject =
                List.of(WireCodec.DELIMITER, bytes(""), bytes("[1]"), bytes("{}"), bytes("{}"), bytes("{}"));
        assertThrows(MalformedMessageException.class, () -> unsigned.decode(notObject));
        List<byte[]> noType = List.of(
                WireCodec.DELIMITER, bytes(""), bytes("{\"msg_id\": \"1\"}"), bytes("{}"), bytes("{}"), bytes("{}"));
        assertThrows(MalformedMessageException.class, () -> unsigned.decode(noType));
    }

    @Test
    void verificationIsConstantTimeComparison() {
        HmacSigner signer = new HmacSigner(KEY, null);
        String good = signer.sign(bytes("x"));
        assertTrue(signer.verify(bytes(good), bytes("x")));
        assertFalse(signer.verify(bytes(good.substring(0, 63)), bytes("x")));
        assertFalse(signer.verify(bytes(good.toUpperCase()), bytes("x")));
    }

    @Test
    void oneTableOfMessageTypes() {
        assertEquals(MessageType.EXECUTE_REPLY, MessageType.EXECUTE_REQUEST.reply());
        assertEquals(MessageType.HISTORY_REPLY, MessageType.HISTORY_REQUEST.reply());
        assertEquals(
                MessageType.INTERRUPT_REPLY,
                MessageType.byName("interrupt_request").orElseThrow().reply());
        assertTrue(MessageType.byName("no_such_request").isEmpty());
        assertEquals(
                "{\"execution_state\":\"idle\"}",
                Json.tree(new Contents.KernelStatus("idle")).toString());
        assertEquals(
                "{\"wait\":true}", Json.tree(new Contents.ClearOutput(true)).toString());
    }

    @Test
    void aReplayedSignedMessageIsRefusedOnAnyConnection() {
        // The probe resent captured execute_requests: all five ran again, also from a new connection and on control.
        List<byte[]> frames = codec.encode(request());
        assertEquals(
                "1+1",
                codec.decode(frames).content(Contents.ExecuteRequest.class).code());
        MalformedMessageException replay = assertThrows(MalformedMessageException.class, () -> codec.decode(frames));
        assertTrue(replay.getMessage().contains("replayed"), replay.getMessage());
        List<byte[]> otherConnection = new ArrayList<>(frames);
        otherConnection.set(0, bytes("another-client"));
        assertThrows(MalformedMessageException.class, () -> codec.decode(otherConnection));
        assertEquals(
                "1+1",
                codec.decode(codec.encode(request()))
                        .content(Contents.ExecuteRequest.class)
                        .code(),
                "a new message (new id and date) is signed differently and runs");
    }

    @Test
    void theDigestHistoryIsBoundedAndForgetsTheOldest() {
        DigestHistory history = new DigestHistory(3);
        for (String digest : List.of("a", "b", "c", "d")) {
            assertTrue(history.add(bytes(digest)));
        }
        assertFalse(history.add(bytes("d")));
        assertTrue(history.add(bytes("a")), "the oldest was forgotten to make room");
    }

    @Test
    void withoutAKeyThereIsNoSignatureToRememberAndNothingIsRefused() {
        WireCodec unsigned = new WireCodec(new HmacSigner("", null));
        List<byte[]> frames = unsigned.encode(request());
        unsigned.decode(frames);
        unsigned.decode(frames);
    }
}
