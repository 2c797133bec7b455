package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.engineio.EngineWireFormats;
import dev.switchboard.socketio.protocol.Packet;
import dev.switchboard.socketio.protocol.PacketDecoder;
import dev.switchboard.socketio.protocol.PacketParseException;
import dev.switchboard.socketio.protocol.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads back the frames of an encoded broadcast for {@code onAnyOutgoing} listeners (only when a socket
 * has one): the Router hands subscribers encoded frames, not packets. Not on the hot path.
 */
final class OutgoingFrames {

    private OutgoingFrames() {}

    /** The EVENT data ({@code [event, ...args]}) of the message, or {@code null} for another packet type. */
    static JsonNode eventData(EncodedMessage message, SocketIoRuntime runtime) {
        PacketDecoder decoder = runtime.newDecoder();
        try {
            Packet p = decoder.decodeText(text(message, 0));
            for (int i = 1; p == null && i < message.frameCount(); i++) {
                p = decoder.decodeBinary(binary(message, i));
            }
            return p != null && p.type() == PacketType.EVENT ? p.data() : null;
        } catch (PacketParseException e) {
            return null;
        }
    }

    /** The Socket.IO text of a message frame (without the Engine.IO {@code 4}). */
    private static String text(EncodedMessage message, int i) {
        ByteBuf f = message.frame(i);
        int start = f.readerIndex() + headerLength(message, f);
        return f.toString(start + 1, f.writerIndex() - start - 1, StandardCharsets.UTF_8);
    }

    private static byte[] binary(EncodedMessage message, int i) {
        ByteBuf f = message.frame(i);
        int start = f.readerIndex() + headerLength(message, f);
        if (message.format() == EngineWireFormats.WEBSOCKET) {
            return ByteBufUtil.getBytes(f, start, f.writerIndex() - start);
        }
        String b64 = f.toString(start + 1, f.writerIndex() - start - 1, StandardCharsets.US_ASCII);
        return Base64.getDecoder().decode(b64);
    }

    private static int headerLength(EncodedMessage message, ByteBuf f) {
        if (message.format() != EngineWireFormats.WEBSOCKET) {
            return 0;
        }
        int len = f.getByte(f.readerIndex() + 1) & 0x7F;
        return len < 126 ? 2 : len == 126 ? 4 : 10;
    }
}
