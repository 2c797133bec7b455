package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Engine.IO v4 packet and payload encoding (engine.io-protocol v4, "Packet encoding" and "Payload";
 * engine.io-parser 5.x). Stateless.
 *
 * <ul>
 *   <li>A text packet is its type digit followed by UTF-8 data: {@code 4hello}, {@code 2}, {@code 3probe}.</li>
 *   <li>Over WebSocket a binary frame is a binary message packet, without a type byte.</li>
 *   <li>A polling payload joins packets with the record separator {@code \x1e}; a binary message in
 *       it is {@code b} + standard base64.</li>
 * </ul>
 *
 * <p>Stricter than engine.io-parser on one point: invalid base64 is a parse error (Node's decoder
 * skips bad characters silently).
 */
final class PacketCodec {

    /** Record separator between packets of a polling payload. */
    static final byte SEPARATOR = 0x1e;

    private PacketCodec() {}

    /** Decodes one text packet (a WebSocket text frame, or one segment of a payload). */
    static Packet decodeText(String s) throws PacketDecodeException {
        if (s.isEmpty()) {
            throw new PacketDecodeException("empty packet: expected a type digit 0-6 or 'b'");
        }
        char c = s.charAt(0);
        if (c == 'b') {
            return Packet.binary(decodeBase64(s, 1));
        }
        PacketType type = PacketType.fromChar(c);
        if (type == null) {
            throw new PacketDecodeException("unknown packet type '" + printable(c) + "': expected 0-6 or 'b'");
        }
        return Packet.text(type, s.substring(1));
    }

    /**
     * Decodes a polling payload (the body of a POST). Either every packet or none: on error, binaries
     * already decoded are released before the exception.
     *
     * @param body borrowed, not released
     */
    static List<Packet> decodePayload(ByteBuf body) throws PacketDecodeException {
        List<Packet> packets = new ArrayList<>(2);
        int start = body.readerIndex();
        int end = body.writerIndex();
        try {
            if (start == end) {
                throw new PacketDecodeException("empty payload");
            }
            int from = start;
            while (true) {
                int sep = body.indexOf(from, end, SEPARATOR);
                int to = sep < 0 ? end : sep;
                packets.add(decodeText(body.toString(from, to - from, StandardCharsets.UTF_8)));
                if (sep < 0) {
                    return packets;
                }
                from = sep + 1;
            }
        } catch (PacketDecodeException e) {
            packets.forEach(Packet::release);
            throw e;
        }
    }

    /**
     * Strict base64, except that line breaks and other ASCII white space are skipped: the official Java
     * client (io.socket:socket.io-client 2.x) encodes binary over polling in MIME style, with a line
     * break every 76 characters, and engine.io (Node's lenient {@code Buffer.from(s, "base64")})
     * accepts it. Any other character outside the alphabet is still a parse error.
     */
    private static ByteBuf decodeBase64(String s, int from) throws PacketDecodeException {
        try {
            byte[] bytes = Base64.getDecoder().decode(withoutWhitespace(s, from));
            return Unpooled.wrappedBuffer(bytes);
        } catch (IllegalArgumentException e) {
            throw new PacketDecodeException("bad base64 in binary packet: " + e.getMessage());
        }
    }

    private static String withoutWhitespace(String s, int from) {
        int i = from;
        while (i < s.length() && !isAsciiWhitespace(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s.substring(from); // the common case: no line breaks, no copy beyond the substring
        }
        StringBuilder sb = new StringBuilder(s.length() - from);
        for (int j = from; j < s.length(); j++) {
            char c = s.charAt(j);
            if (!isAsciiWhitespace(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isAsciiWhitespace(char c) {
        return c == '\n' || c == '\r' || c == ' ' || c == '\t';
    }

    /** A text packet in polling form: type digit + UTF-8 data. One allocation; caller owns it. */
    static ByteBuf pollingText(ByteBufAllocator alloc, PacketType type, CharSequence data) {
        int utf8 = ByteBufUtil.utf8Bytes(data);
        ByteBuf buf = alloc.buffer(1 + utf8);
        buf.writeByte(type.digit);
        ByteBufUtil.reserveAndWriteUtf8(buf, data, utf8);
        return buf;
    }

    /**
     * A text packet as a complete unmasked WebSocket text frame; one allocation (header room reserved,
     * then written in front). Caller owns it.
     */
    static ByteBuf wsText(ByteBufAllocator alloc, PacketType type, CharSequence data) {
        int utf8 = ByteBufUtil.utf8Bytes(data);
        int payload = 1 + utf8;
        int header = WsFrames.headerLength(payload);
        ByteBuf buf = alloc.buffer(header + payload);
        buf.writerIndex(header);
        buf.writeByte(type.digit);
        ByteBufUtil.reserveAndWriteUtf8(buf, data, utf8);
        WsFrames.writeHeader(buf, WsFrames.OPCODE_TEXT, payload);
        return buf;
    }

    /**
     * Joins polling packets into one payload, {@code \x1e} between them. The packets are borrowed (not
     * released); the result is a new buffer the caller owns.
     */
    static ByteBuf joinPayload(ByteBufAllocator alloc, Collection<ByteBuf> packets) {
        int size = Math.max(0, packets.size() - 1);
        for (ByteBuf p : packets) {
            size += p.readableBytes();
        }
        ByteBuf out = alloc.buffer(size);
        boolean first = true;
        for (ByteBuf p : packets) {
            if (!first) {
                out.writeByte(SEPARATOR);
            }
            first = false;
            out.writeBytes(p, p.readerIndex(), p.readableBytes());
        }
        return out;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
