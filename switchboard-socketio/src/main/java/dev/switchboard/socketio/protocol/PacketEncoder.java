package dev.switchboard.socketio.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encodes packets (socket.io-protocol v5 §"Packet encoding"), as socket.io-parser 4.2's
 * {@code Encoder}: type, then {@code N-} for binary packets, then {@code /nsp,} unless the namespace
 * is {@code /}, then the ack id, then compact JSON (key order kept).
 *
 * <p>An EVENT or ACK whose data holds binary values ({@code BinaryNode}) becomes a BINARY_EVENT /
 * BINARY_ACK: each value is replaced by {@code {"_placeholder":true,"num":i}} in a copy of the data
 * (the packet itself is never modified, so one packet can be encoded for several wire formats) and
 * returned as attachment {@code i}, in depth-first order. Stateless and thread-safe.
 */
public final class PacketEncoder {

    private final ObjectMapper mapper;

    public PacketEncoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The text frame and the attachments that follow it, in order. */
    public record Encoded(String text, List<byte[]> attachments) {
        public Encoded {
            attachments = List.copyOf(attachments);
        }
    }

    public Encoded encode(Packet packet) {
        JsonNode data = packet.data();
        PacketType type = packet.type();
        List<byte[]> attachments = List.of();
        if ((type == PacketType.EVENT || type == PacketType.ACK) && data != null && hasBinary(data)) {
            List<byte[]> out = new ArrayList<>();
            data = deconstruct(data, out);
            attachments = out;
            type = type == PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
        }
        StringBuilder sb = new StringBuilder(64);
        sb.append(type.code());
        if (type.isBinary()) {
            sb.append(attachments.size()).append('-');
        }
        if (!"/".equals(packet.nsp())) {
            sb.append(packet.nsp()).append(',');
        }
        if (packet.hasId()) {
            sb.append(packet.id());
        }
        if (data != null) {
            try {
                sb.append(mapper.writeValueAsString(data));
            } catch (JsonProcessingException e) {
                // A tree of JsonNodes always serialises; this would be a Jackson bug.
                throw new IllegalStateException("cannot serialise packet data", e);
            }
        }
        return new Encoded(sb.toString(), attachments);
    }

    /**
     * An EVENT's data ({@code [event, ...args]}) split the way a fabric message carries it: the event
     * name, the arguments as the UTF-8 text of a JSON array in which each binary value is replaced by
     * {@code {"_placeholder":true,"num":i}}, and the binaries in that order (depth-first, as
     * {@link #encode} numbers them). {@code data} is not modified.
     */
    public record EventParts(String event, byte[] arguments, List<byte[]> attachments) {}

    public EventParts eventParts(ArrayNode data) {
        if (data.isEmpty() || !data.get(0).isTextual()) {
            throw new IllegalArgumentException("event data must start with the event name");
        }
        ArrayNode args = JsonNodeFactory.instance.arrayNode(data.size() - 1);
        for (int i = 1; i < data.size(); i++) {
            args.add(data.get(i));
        }
        List<byte[]> attachments = List.of();
        JsonNode json = args;
        if (hasBinary(args)) {
            List<byte[]> out = new ArrayList<>();
            json = deconstruct(args, out);
            attachments = out;
        }
        try {
            return new EventParts(data.get(0).textValue(), mapper.writeValueAsBytes(json), attachments);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise packet data", e); // a tree always serialises
        }
    }

    /** True when the tree holds at least one binary value. */
    public static boolean hasBinary(JsonNode node) {
        if (node.isBinary()) {
            return true;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasBinary(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonNode deconstruct(JsonNode node, List<byte[]> out) {
        if (node.isBinary()) {
            ObjectNode placeholder = JsonNodeFactory.instance.objectNode();
            placeholder.put("_placeholder", true);
            placeholder.put("num", out.size());
            try {
                out.add(node.binaryValue());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e); // BinaryNode.binaryValue never throws
            }
            return placeholder;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode child : node) {
                copy.add(deconstruct(child, out));
            }
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                copy.set(e.getKey(), deconstruct(e.getValue(), out));
            }
            return copy;
        }
        return node;
    }
}
