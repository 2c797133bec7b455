package dev.switchboard.socketio.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One Socket.IO packet, decoded or about to be encoded.
 *
 * <p>Binary values travel inside {@code data} as Jackson {@code BinaryNode}s: the decoder puts the
 * received attachments where their placeholders were, and the encoder takes them out again. A decoded
 * packet therefore never has a BINARY_* type.
 *
 * @param type the packet type
 * @param nsp  the namespace, {@code "/"} when the packet named none
 * @param id   the acknowledgement id, or {@link #NO_ID}
 * @param data the JSON payload, or {@code null} when the packet has none
 */
public record Packet(PacketType type, String nsp, long id, JsonNode data) {

    /** The value of {@link #id()} when the packet carries no acknowledgement id. */
    public static final long NO_ID = -1;

    /** Largest acknowledgement id accepted: JavaScript's {@code Number.MAX_SAFE_INTEGER}. */
    public static final long MAX_ID = 9_007_199_254_740_991L;

    public Packet {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(nsp, "nsp");
        if (id < NO_ID || id > MAX_ID) {
            throw new IllegalArgumentException("ack id out of range: " + id);
        }
    }

    public static Packet of(PacketType type, String nsp, JsonNode data) {
        return new Packet(type, nsp, NO_ID, data);
    }

    public boolean hasId() {
        return id != NO_ID;
    }
}
