package dev.switchboard.engineio;

import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.base64.Base64;
import io.netty.handler.codec.base64.Base64Dialect;
import java.nio.charset.StandardCharsets;

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

    private static final byte OPCODE_TEXT = 0x1;
    private static final byte OPCODE_BINARY = 0x2;
    private static final int FIN = 0x80;

    /**
     * One message packet ({@code 4} + text) in {@code format}. One buffer allocation; the caller owns
     * the result.
     */
    public static ByteBuf textMessage(WireFormat format, ByteBufAllocator alloc, CharSequence text) {
        int utf8 = ByteBufUtil.utf8Bytes(text);
        int payload = 1 + utf8;
        if (format == WEBSOCKET) {
            int header = headerLength(payload);
            ByteBuf buf = alloc.buffer(header + payload);
            // Reserve the header, write the payload, then fill the header in front: the UTF-8 length
            // is known up front, so this is one pass and one allocation.
            buf.writerIndex(header);
            buf.writeByte('4');
            ByteBufUtil.reserveAndWriteUtf8(buf, text, utf8);
            writeHeader(buf, OPCODE_TEXT, payload);
            return buf;
        }
        requirePolling(format);
        ByteBuf buf = alloc.buffer(payload);
        buf.writeByte('4');
        ByteBufUtil.reserveAndWriteUtf8(buf, text, utf8);
        return buf;
    }

    /**
     * One binary message packet in {@code format}: a binary WebSocket frame, or {@code b} + base64 for
     * polling. {@code data} is borrowed (read from its readerIndex, not released); the caller owns the
     * result.
     */
    public static ByteBuf binaryMessage(WireFormat format, ByteBufAllocator alloc, ByteBuf data) {
        int payload = data.readableBytes();
        if (format == WEBSOCKET) {
            int header = headerLength(payload);
            ByteBuf buf = alloc.buffer(header + payload);
            buf.writerIndex(header);
            buf.writeBytes(data, data.readerIndex(), payload);
            writeHeader(buf, OPCODE_BINARY, payload);
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

    /** Text message packet bytes as they appear on the wire for polling, as a String (tests, logs). */
    static String toText(ByteBuf frame) {
        return frame.toString(StandardCharsets.UTF_8);
    }

    static int headerLength(int payload) {
        if (payload < 126) {
            return 2;
        }
        return payload <= 0xFFFF ? 4 : 10;
    }

    /** Writes the unmasked header into the {@code headerLength} bytes reserved at the buffer's start. */
    private static void writeHeader(ByteBuf buf, byte opcode, int payload) {
        int i = buf.readerIndex();
        buf.setByte(i, FIN | opcode);
        if (payload < 126) {
            buf.setByte(i + 1, payload);
        } else if (payload <= 0xFFFF) {
            buf.setByte(i + 1, 126);
            buf.setShort(i + 2, payload);
        } else {
            buf.setByte(i + 1, 127);
            buf.setLong(i + 2, payload);
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
