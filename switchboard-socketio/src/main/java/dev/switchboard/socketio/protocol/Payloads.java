package dev.switchboard.socketio.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Converts between the Java values users emit and receive and the JSON trees packets carry.
 *
 * <p>Outgoing values go through Jackson ({@code valueToTree}): maps, lists, records, beans, strings,
 * numbers, booleans, {@code null}; {@code byte[]} and {@code ByteBuffer} become binary attachments.
 * Incoming arguments are handed to listeners as plain Java values: {@code LinkedHashMap} (key order
 * kept), {@code ArrayList}, {@code String}, {@code Integer}/{@code Long}/{@code BigInteger},
 * {@code Double}, {@code Boolean}, {@code null}, and {@code byte[]} for attachments.
 */
public final class Payloads {

    private final ObjectMapper mapper;

    public Payloads(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The mapper Socket.IO packets are read and written with: strict (one value per packet), compact. */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** {@code [event, ...args]} as a tree. */
    public ArrayNode eventData(String event, Object[] args) {
        ArrayNode data = JsonNodeFactory.instance.arrayNode(args.length + 1);
        data.add(event);
        for (Object arg : args) {
            data.add(toTree(arg));
        }
        return data;
    }

    /**
     * {@code [event, ...args]} as a tree from a fabric message's parts: the arguments' JSON array
     * (binaries as {@code {"_placeholder":true,"num":i}}) with each placeholder replaced by its attachment.
     *
     * @throws IllegalArgumentException when the arguments are not a JSON array or a placeholder points nowhere
     */
    public ArrayNode eventData(String event, java.nio.ByteBuffer argumentsJson, List<byte[]> attachments) {
        JsonNode args;
        try {
            args = mapper.readTree(new com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream(argumentsJson));
            if (!(args instanceof ArrayNode)) {
                throw new IllegalArgumentException("arguments are not a JSON array");
            }
            args = PacketDecoder.reconstruct(args, attachments);
        } catch (java.io.IOException | PacketParseException e) {
            throw new IllegalArgumentException("unreadable arguments: " + e.getMessage(), e);
        }
        ArrayNode data = JsonNodeFactory.instance.arrayNode(args.size() + 1);
        data.add(event);
        data.addAll((ArrayNode) args);
        return data;
    }

    /** {@code [...args]} as a tree (an ACK's data). */
    public ArrayNode argsData(Object[] args) {
        ArrayNode data = JsonNodeFactory.instance.arrayNode(args.length);
        for (Object arg : args) {
            data.add(toTree(arg));
        }
        return data;
    }

    public JsonNode toTree(Object value) {
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (value instanceof JsonNode) {
            return (JsonNode) value;
        }
        if (value instanceof byte[]) {
            return JsonNodeFactory.instance.binaryNode((byte[]) value);
        }
        return mapper.valueToTree(value);
    }

    /** The elements of {@code array} from {@code from} on, as plain Java values; an unmodifiable list. */
    public List<Object> toJava(JsonNode array, int from) {
        if (array == null || array.size() <= from) {
            return List.of();
        }
        List<Object> out = new ArrayList<>(array.size() - from);
        for (int i = from; i < array.size(); i++) {
            out.add(toJava(array.get(i)));
        }
        return Collections.unmodifiableList(out);
    }

    public Object toJava(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBinary()) {
            try {
                return node.binaryValue();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        try {
            return mapper.treeToValue(node, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot convert " + node.getNodeType(), e);
        }
    }

    /** A JSON value (UTF-8) as a plain Java value ({@link #toJava(JsonNode)}); {@code null} for null. */
    public Object fromJson(byte[] json) {
        if (json == null) {
            return null;
        }
        try {
            return toJava(mapper.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    /** A Java value as JSON (UTF-8), as {@link #toTree} sees it ({@code byte[]} becomes base64 text). */
    public byte[] toJson(Object value) {
        try {
            return mapper.writeValueAsBytes(toTree(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Converts one argument to {@code type} (typed listeners). */
    public <T> T convert(JsonNode node, Class<T> type) {
        if (node == null) {
            return null;
        }
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
