package dev.switchboard.engineio;

import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.base64.Base64;
import io.netty.handler.codec.base64.Base64Dialect;
import java.nio.ByteBuffer;

/**
 * The two wire formats of Engine.IO sessions, for encode-once fan-out ({@link EngineSocket#write}).
 *
 * <ul>
 *   <li>{@link #WEBSOCKET}: a frame is a COMPLETE server-to-client WebSocket frame, header and
 *       payload (server frames are unmasked, so one buffer serves every WebSocket subscriber); it is
 *       written below Netty's frame encoder as is.</li>
 *   <li>{@link #POLLING}: a frame is one Engine.IO packet as it appears in a polling payload: text
 *       {@code 4...} or binary {@code b<base64>}; the session joins queued packets with {@code \x1e}
 *       when it answers a GET.</li>
 * </ul>
 */
public final class EngineWireFormats {

    private EngineWireFormats() {}

    /** Complete WebSocket frames (header + Engine.IO packet). */
    public static final WireFormat WEBSOCKET = new Format("engineio-ws");

    /** Engine.IO packets in their polling encoding. */
    public static final WireFormat POLLING = new Format("engineio-polling");

    /**
     * One message packet ({@code 4} + text) in {@code format}. One buffer allocation; the caller owns
     * the result.
     */
    public static ByteBuf textMessage(WireFormat format, ByteBufAllocator alloc, CharSequence text) {
        if (format == WEBSOCKET) {
            // Header room reserved, payload written, header filled in front: one allocation, one pass.
            return PacketCodec.wsText(alloc, PacketType.MESSAGE, text);
        }
        requirePolling(format);
        return PacketCodec.pollingText(alloc, PacketType.MESSAGE, text);
    }

    /**
     * One message packet ({@code 4} + text) in {@code format}, its text given as UTF-8 parts written
     * one after the other (a renderer that splices stored JSON bytes needs no String). The parts are
     * read from their position to their limit, not consumed. One buffer allocation; the caller owns the
     * result.
     */
    public static ByteBuf textMessageUtf8(WireFormat format, ByteBufAllocator alloc, ByteBuffer... parts) {
        int payload = 1;
        for (ByteBuffer p : parts) {
            payload += p.remaining();
        }
        if (format == WEBSOCKET) {
            int header = WsFrames.headerLength(payload);
            ByteBuf buf = alloc.buffer(header + payload);
            buf.writerIndex(header);
            writeParts(buf, parts);
            WsFrames.writeHeader(buf, WsFrames.OPCODE_TEXT, payload);
            return buf;
        }
        requirePolling(format);
        ByteBuf buf = alloc.buffer(payload);
        writeParts(buf, parts);
        return buf;
    }

    private static void writeParts(ByteBuf buf, ByteBuffer[] parts) {
        buf.writeByte(PacketType.MESSAGE.digit);
        for (ByteBuffer p : parts) {
            buf.writeBytes(p.duplicate());
        }
    }

    /**
     * One binary message packet in {@code format}: a binary WebSocket frame, or {@code b} + base64 for
     * polling. {@code data} is borrowed (read from its readerIndex, not released); the caller owns the
     * result.
     */
    public static ByteBuf binaryMessage(WireFormat format, ByteBufAllocator alloc, ByteBuf data) {
        int payload = data.readableBytes();
        if (format == WEBSOCKET) {
            int header = WsFrames.headerLength(payload);
            ByteBuf buf = alloc.buffer(header + payload);
            buf.writerIndex(header);
            buf.writeBytes(data, data.readerIndex(), payload);
            WsFrames.writeHeader(buf, WsFrames.OPCODE_BINARY, payload);
            return buf;
        }
        requirePolling(format);
        ByteBuf b64 = Base64.encode(data, data.readerIndex(), payload, false, Base64Dialect.STANDARD, alloc);
        try {
            ByteBuf buf = alloc.buffer(1 + b64.readableBytes());
            buf.writeByte('b');
            buf.writeBytes(b64);
            return buf;
        } finally {
            b64.release();
        }
    }

    private static void requirePolling(WireFormat format) {
        if (format != POLLING) {
            throw new IllegalArgumentException("not an Engine.IO wire format: " + format.name());
        }
    }

    private record Format(String name) implements WireFormat {
        @Override
        public String toString() {
            return name;
        }
    }
}
