package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * One decoded inbound packet. {@code binary} is non-null only for a binary message, and then the
 * holder owns it; {@code text} is the data after the type character (empty when there is none).
 */
record Packet(PacketType type, String text, ByteBuf binary) {

    static Packet text(PacketType type, String text) {
        return new Packet(type, text, null);
    }

    static Packet binary(ByteBuf data) {
        return new Packet(PacketType.MESSAGE, "", data);
    }

    boolean isBinary() {
        return binary != null;
    }

    /** Releases the binary data, if any. */
    void release() {
        ReferenceCountUtil.release(binary);
    }
}
