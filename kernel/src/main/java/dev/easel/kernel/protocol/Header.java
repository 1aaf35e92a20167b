package dev.easel.kernel.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** A message header (protocol 5.4: {@code msg_id}, {@code session}, {@code username}, {@code date}, {@code msg_type}, {@code version}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Header(String msgId, String session, String username, String date, String msgType, String version) {

    public static final String PROTOCOL_VERSION = "5.4";

    /** A fresh header for a message this kernel sends in {@code session}. */
    public static Header create(MessageType type, String session) {
        return create(type.wireName(), session);
    }

    public static Header create(String msgType, String session) {
        return new Header(
                UUID.randomUUID().toString(),
                session,
                "easel",
                OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                msgType,
                PROTOCOL_VERSION);
    }
}
