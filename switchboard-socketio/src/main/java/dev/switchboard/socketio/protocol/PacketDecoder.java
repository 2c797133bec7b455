package dev.switchboard.socketio.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the packets of one connection (socket.io-protocol v5 §"Packet encoding"), mirroring the
 * checks of socket.io-parser 4.2's {@code Decoder}, plus a bound on the acknowledgement id.
 *
 * <p>Stateful: a BINARY_EVENT / BINARY_ACK header is held until its attachments have arrived, each as
 * its own binary Engine.IO message. Threading: confined to the connection's event loop.
 *
 * <p>Rules (each violation throws {@link PacketParseException}, after which the caller closes the
 * connection): the type is one of the seven codes; a binary type declares {@code 1..maxAttachments}
 * attachments followed by {@code -}; the ack id is a run of digits no larger than
 * {@link Packet#MAX_ID}; the JSON is one complete value; CONNECT carries an object, DISCONNECT
 * nothing, CONNECT_ERROR a string or object, EVENT an array starting with a number or a non-reserved
 * event name, ACK an array; placeholders point at a received attachment; text may not arrive while
 * attachments are awaited, nor binary when none are.
 */
public final class PacketDecoder {

    /** socket.io-parser's default limit (Decoder option {@code maxAttachments}). */
    public static final int DEFAULT_MAX_ATTACHMENTS = 10;

    /**
     * Socket.IO's reserved event names (socket.io-parser's and the server's RESERVED_EVENTS): refused in
     * a client's EVENT packet, and never emitted by a server (a client would take them for its
     * connection's own events). The one list every layer checks.
     */
    public static final Set<String> RESERVED_EVENTS = Set.of(
            "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    private final ObjectMapper mapper;
    private final int maxAttachments;

    // Reconstruction state: the header of a binary packet and the attachments received so far.
    private Packet pending;
    private int expected;
    private List<byte[]> buffers;

    public PacketDecoder(ObjectMapper mapper, int maxAttachments) {
        if (maxAttachments < 1) {
            throw new IllegalArgumentException("maxAttachments must be at least 1, got " + maxAttachments);
        }
        this.mapper = mapper;
        this.maxAttachments = maxAttachments;
    }

    /** True while the attachments of a binary packet are awaited. */
    public boolean reconstructing() {
        return pending != null;
    }

    /**
     * Decodes a text message.
     *
     * @return the packet, or {@code null} when it is a binary packet whose attachments come next
     */
    public Packet decodeText(String str) throws PacketParseException {
        if (pending != null) {
            throw new PacketParseException("got plaintext data when reconstructing a packet");
        }
        if (str.isEmpty()) {
            throw new PacketParseException("empty packet");
        }
        int len = str.length();
        int i = 0;
        char c0 = str.charAt(0);
        PacketType type = c0 >= '0' && c0 <= '9' ? PacketType.ofCode(c0 - '0') : null;
        if (type == null) {
            throw new PacketParseException("unknown packet type " + c0);
        }
        i = 1;
        int attachments = 0;
        if (type.isBinary()) {
            int start = i;
            while (i < len && str.charAt(i) != '-') {
                i++;
            }
            if (i == len || i == start || i - start > 9 || !allDigits(str, start, i)) {
                throw new PacketParseException("Illegal attachments: " + abbreviate(str));
            }
            attachments = Integer.parseInt(str, start, i, 10);
            if (attachments < 1) {
                throw new PacketParseException("Illegal attachments: " + attachments);
            }
            if (attachments > maxAttachments) {
                throw new PacketParseException("too many attachments: " + attachments + " > " + maxAttachments);
            }
            i++; // the '-'
        }
        String nsp = "/";
        if (i < len && str.charAt(i) == '/') {
            int start = i;
            while (i < len && str.charAt(i) != ',') {
                i++;
            }
            nsp = str.substring(start, i);
            if (i < len) {
                i++; // the ','
            }
        }
        long id = Packet.NO_ID;
        if (i < len && isDigit(str.charAt(i))) {
            int start = i;
            while (i < len && isDigit(str.charAt(i))) {
                i++;
            }
            if (i - start > 16) {
                throw new PacketParseException("bad ack id: " + abbreviate(str.substring(start, i)));
            }
            id = Long.parseLong(str, start, i, 10);
            if (id > Packet.MAX_ID) {
                throw new PacketParseException("bad ack id: " + id);
            }
        }
        JsonNode data = null;
        if (i < len) {
            try {
                data = mapper.readTree(str.substring(i));
            } catch (JacksonException e) {
                throw new PacketParseException("bad JSON in " + type + " packet: " + e.getOriginalMessage());
            }
            if (data == null || data.isMissingNode()) {
                throw new PacketParseException("bad JSON in " + type + " packet");
            }
        }
        if (!isPayloadValid(type, data)) {
            throw new PacketParseException("invalid payload for " + type + ": " + abbreviate(str));
        }
        if (type.isBinary()) {
            pending = new Packet(type == PacketType.BINARY_EVENT ? PacketType.EVENT : PacketType.ACK, nsp, id, data);
            expected = attachments;
            buffers = new ArrayList<>(attachments);
            return null;
        }
        return new Packet(type, nsp, id, data);
    }

    /**
     * Decodes a binary message: the next attachment of the pending binary packet.
     *
     * @param bytes owned by the decoder from now on
     * @return the reconstructed packet once the last attachment arrived, else {@code null}
     */
    public Packet decodeBinary(byte[] bytes) throws PacketParseException {
        if (pending == null) {
            throw new PacketParseException("got binary data when not reconstructing a packet");
        }
        buffers.add(bytes);
        if (buffers.size() < expected) {
            return null;
        }
        Packet header = pending;
        List<byte[]> received = buffers;
        reset();
        JsonNode data = reconstruct(header.data(), received);
        return new Packet(header.type(), header.nsp(), header.id(), data);
    }

    /** Drops a half-received binary packet (on close). */
    public void reset() {
        pending = null;
        buffers = null;
        expected = 0;
    }

    // socket.io-parser isPayloadValid, with "no data" allowed where the official accepts undefined.
    private static boolean isPayloadValid(PacketType type, JsonNode data) {
        switch (type) {
            case CONNECT:
                return data == null || data.isObject();
            case DISCONNECT:
                return data == null;
            case CONNECT_ERROR:
                return data == null || data.isTextual() || data.isObject();
            case EVENT:
            case BINARY_EVENT:
                if (data == null || !data.isArray() || data.isEmpty()) {
                    return false;
                }
                JsonNode first = data.get(0);
                return first.isNumber() || first.isTextual() && !RESERVED_EVENTS.contains(first.textValue());
            case ACK:
            case BINARY_ACK:
                return data != null && data.isArray();
            default:
                return false;
        }
    }

    static JsonNode reconstruct(JsonNode node, List<byte[]> buffers) throws PacketParseException {
        if (node instanceof ObjectNode) {
            ObjectNode obj = (ObjectNode) node;
            JsonNode flag = obj.get("_placeholder");
            if (flag != null && flag.isBoolean() && flag.booleanValue()) {
                JsonNode num = obj.get("num");
                if (num == null || !num.isIntegralNumber() || num.asLong() < 0 || num.asLong() >= buffers.size()) {
                    throw new PacketParseException("illegal attachments: placeholder " + obj);
                }
                return BinaryNode.valueOf(buffers.get(num.intValue()));
            }
            for (Map.Entry<String, JsonNode> e : obj.properties()) {
                e.setValue(reconstruct(e.getValue(), buffers));
            }
            return obj;
        }
        if (node instanceof ArrayNode) {
            ArrayNode arr = (ArrayNode) node;
            for (int k = 0; k < arr.size(); k++) {
                arr.set(k, reconstruct(arr.get(k), buffers));
            }
            return arr;
        }
        return node;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!isDigit(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
