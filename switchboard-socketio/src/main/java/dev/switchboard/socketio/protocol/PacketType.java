package dev.switchboard.socketio.protocol;

/**
 * Socket.IO v5 packet types, with the codes of socket.io-protocol §"Packet types".
 *
 * <p>{@link #BINARY_EVENT} and {@link #BINARY_ACK} exist on the wire only: the decoder turns them into
 * {@link #EVENT} / {@link #ACK} once every attachment has arrived, and the encoder picks them when the
 * data holds binary values.
 */
public enum PacketType {
    CONNECT(0),
    DISCONNECT(1),
    EVENT(2),
    ACK(3),
    CONNECT_ERROR(4),
    BINARY_EVENT(5),
    BINARY_ACK(6);

    private static final PacketType[] BY_CODE = values();

    private final int code;

    PacketType(int code) {
        this.code = code;
    }

    /** The digit that starts an encoded packet. */
    public int code() {
        return code;
    }

    /** The type for a code, or {@code null} when no such type exists. */
    public static PacketType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    public boolean isBinary() {
        return this == BINARY_EVENT || this == BINARY_ACK;
    }
}
