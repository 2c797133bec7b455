package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.base64.Base64;
import io.netty.handler.codec.base64.Base64Dialect;
import java.nio.charset.StandardCharsets;

/**
 * Server-to-client WebSocket frames written as raw bytes (RFC 6455 section 5.2: FIN, opcode, no mask,
 * 7/16/64-bit length), so one encoded buffer can be shared by every WebSocket subscriber; and the
 * conversion between the two wire formats, needed only for a message encoded just before an upgrade.
 */
final class WsFrames {

    static final int OPCODE_TEXT = 0x1;
    static final int OPCODE_BINARY = 0x2;
    private static final int FIN = 0x80;

    private WsFrames() {}

    static int headerLength(int payload) {
        if (payload < 126) {
            return 2;
        }
        return payload <= 0xFFFF ? 4 : 10;
    }

    /** Writes the header into the {@code headerLength(payload)} bytes reserved at the buffer's readerIndex. */
    static void writeHeader(ByteBuf buf, int opcode, int payload) {
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

    /** Offset of the payload from the frame's readerIndex (the header length of a frame we built). */
    static int payloadOffset(ByteBuf frame) {
        int len7 = frame.getByte(frame.readerIndex() + 1) & 0x7f;
        return len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
    }

    /** A complete frame we encoded, as the polling packet it carries. Borrowed in; caller owns the result. */
    static ByteBuf toPolling(ByteBufAllocator alloc, ByteBuf frame) {
        int opcode = frame.getByte(frame.readerIndex()) & 0x0f;
        int off = payloadOffset(frame);
        int start = frame.readerIndex() + off;
        int len = frame.readableBytes() - off;
        if (opcode == OPCODE_TEXT) {
            return frame.retainedSlice(start, len);
        }
        ByteBuf b64 = Base64.encode(frame, start, len, false, Base64Dialect.STANDARD, alloc);
        try {
            ByteBuf out = alloc.buffer(1 + b64.readableBytes());
            out.writeByte('b');
            out.writeBytes(b64);
            return out;
        } finally {
            b64.release();
        }
    }

    /** A polling packet as a complete WebSocket frame. Borrowed in; caller owns the result. */
    static ByteBuf fromPolling(ByteBufAllocator alloc, ByteBuf packet) {
        int len = packet.readableBytes();
        if (len > 0 && packet.getByte(packet.readerIndex()) == 'b') {
            byte[] data = java.util.Base64.getDecoder().decode(
                    packet.toString(packet.readerIndex() + 1, len - 1, StandardCharsets.US_ASCII));
            ByteBuf out = alloc.buffer(headerLength(data.length) + data.length);
            out.writerIndex(headerLength(data.length));
            out.writeBytes(data);
            writeHeader(out, OPCODE_BINARY, data.length);
            return out;
        }
        ByteBuf out = alloc.buffer(headerLength(len) + len);
        out.writerIndex(headerLength(len));
        out.writeBytes(packet, packet.readerIndex(), len);
        writeHeader(out, OPCODE_TEXT, len);
        return out;
    }
}
