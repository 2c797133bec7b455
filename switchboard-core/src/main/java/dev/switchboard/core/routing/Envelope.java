package dev.switchboard.core.routing;

import dev.switchboard.core.message.MessageFormatException;
import java.io.ByteArrayOutputStream;

/**
 * What crosses the backplane: a type (socket.io-adapter's cluster message types), the request it
 * belongs to, one number and a body.
 *
 * <pre>
 *   version    1 byte   1
 *   type       1 byte   {@link Type#ordinal()}
 *   requestId  varint   0 = not a request (a plain broadcast), else the requester's id
 *   number     varint   BROADCAST with ack: the requester's timeout in ms; BROADCAST_CLIENT_COUNT: the count
 *   body       the rest: MessageCodec bytes (BROADCAST and requests), or the protocol's reply bytes
 * </pre>
 * The sending node is the backplane's to tell ({@code Receiver.receive(fromNode, ...)}), not written
 * here. Decoding checks every length against what remains.
 */
record Envelope(Type type, long requestId, long number, byte[] body) {

    enum Type {
        BROADCAST,
        SOCKETS_JOIN,
        SOCKETS_LEAVE,
        DISCONNECT_SOCKETS,
        FETCH_SOCKETS,
        FETCH_SOCKETS_RESPONSE,
        SERVER_SIDE_EMIT,
        SERVER_SIDE_EMIT_RESPONSE,
        BROADCAST_CLIENT_COUNT,
        BROADCAST_ACK;

        static Type of(RequestType t) {
            return switch (t) {
                case SOCKETS_JOIN -> SOCKETS_JOIN;
                case SOCKETS_LEAVE -> SOCKETS_LEAVE;
                case DISCONNECT_SOCKETS -> DISCONNECT_SOCKETS;
                case FETCH_SOCKETS -> FETCH_SOCKETS;
                case SERVER_SIDE_EMIT -> SERVER_SIDE_EMIT;
            };
        }

        /** The request type of a request envelope; null for the others. */
        RequestType request() {
            return switch (this) {
                case SOCKETS_JOIN -> RequestType.SOCKETS_JOIN;
                case SOCKETS_LEAVE -> RequestType.SOCKETS_LEAVE;
                case DISCONNECT_SOCKETS -> RequestType.DISCONNECT_SOCKETS;
                case FETCH_SOCKETS -> RequestType.FETCH_SOCKETS;
                case SERVER_SIDE_EMIT -> RequestType.SERVER_SIDE_EMIT;
                default -> null;
            };
        }

        /** The reply type of a request type that may reply. */
        Type response() {
            return this == FETCH_SOCKETS ? FETCH_SOCKETS_RESPONSE : SERVER_SIDE_EMIT_RESPONSE;
        }
    }

    static final int VERSION = 1;
    private static final Type[] TYPES = Type.values();

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 24);
        out.write(VERSION);
        out.write(type.ordinal());
        varint(out, requestId);
        varint(out, number);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static Envelope decode(byte[] frame) throws MessageFormatException {
        if (frame.length < 4) {
            throw new MessageFormatException("envelope of " + frame.length + " bytes is too short");
        }
        if (frame[0] != VERSION) {
            throw new MessageFormatException("envelope version " + frame[0] + " not supported");
        }
        int t = frame[1] & 0xFF;
        if (t >= TYPES.length) {
            throw new MessageFormatException("unknown envelope type " + t);
        }
        int[] pos = {2};
        long requestId = varint(frame, pos, "requestId");
        long number = varint(frame, pos, "number");
        byte[] body = java.util.Arrays.copyOfRange(frame, pos[0], frame.length);
        return new Envelope(TYPES[t], requestId, number, body);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long varint(byte[] b, int[] pos, String field) throws MessageFormatException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) {
                throw new MessageFormatException("envelope " + field + ": truncated");
            }
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                if (v < 0) {
                    throw new MessageFormatException("envelope " + field + ": out of range");
                }
                return v;
            }
        }
        throw new MessageFormatException("envelope " + field + ": longer than 10 bytes");
    }
}
