package dev.switchboard.mqtt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.message.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one-fabric mapping between an MQTT PUBLISH and a {@link Message}.
 *
 * <p>MQTT to fabric: topic {@code a/b/c} is room {@code a/b/c} of the configured namespace; the event is
 * the configured one; the arguments are {@code [payload, {"topic":..,"qos":..,"retain":..}]}, the payload
 * as JSON when the bytes are one JSON value, else a binary attachment. Headers keep what an MQTT
 * subscriber needs to get the exact bytes back ({@link #H_PAYLOAD}: {@code json:<length>}, the payload
 * being bytes 1 to 1+length of the arguments, or {@code binary}, attachment 0) and the publication's QoS,
 * retain flag and publishing connection.
 *
 * <p>Fabric to MQTT (a Socket.IO emit, an HTTP publish): the topic is the message's first room; the payload
 * is the single argument (a string as its UTF-8 text, a binary attachment as its bytes, any other value
 * as JSON) or, with several arguments, the JSON array of them. The event name is not carried.
 */
final class MqttMapping {

    static final String H_PAYLOAD = "mqtt.payload";
    static final String H_QOS = "mqtt.qos";
    static final String H_RETAIN = "mqtt.retain";
    static final String H_PUBLISHER = "mqtt.publisher";
    static final String PROTOCOL = "mqtt";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private MqttMapping() {}

    /** The fabric message for an MQTT publication; {@code payload} is not kept (copied where needed). */
    static Message toMessage(String space, String event, String nodeId, String topic, int qos, boolean retain,
            byte[] payload, String publisherId, V5Properties properties) {
        byte[] meta = meta(topic, qos, retain);
        Message.Builder b = Message.builder(space, event).rooms(Set.of(topic)).origin(nodeId, PROTOCOL);
        String kind;
        if (isJsonValue(payload)) {
            byte[] args = new byte[payload.length + meta.length + 3];
            args[0] = '[';
            System.arraycopy(payload, 0, args, 1, payload.length);
            args[payload.length + 1] = ',';
            System.arraycopy(meta, 0, args, payload.length + 2, meta.length);
            args[args.length - 1] = ']';
            b.arguments(args);
            kind = "json:" + payload.length;
        } else {
            b.arguments("[{\"_placeholder\":true,\"num\":0}," + new String(meta, StandardCharsets.UTF_8) + "]");
            b.attachments(List.of(payload));
            kind = "binary";
        }
        Map<String, String> headers = new HashMap<>();
        properties.toHeaders(headers);
        headers.put(H_PAYLOAD, kind);
        headers.put(H_QOS, Integer.toString(qos));
        headers.put(H_RETAIN, Boolean.toString(retain));
        headers.put(H_PUBLISHER, publisherId);
        return b.headers(headers).build();
    }

    /** The MQTT payload of a fabric message, as described above; null when it has none to give. */
    static byte[] payloadOf(Message m) {
        String kind = m.headers().get(H_PAYLOAD);
        if (kind != null) {
            if (kind.equals("binary")) {
                return bytes(m.attachment(0));
            }
            if (kind.startsWith("json:")) {
                int len = Integer.parseInt(kind.substring(5));
                ByteBuffer args = m.arguments();
                byte[] out = new byte[len];
                args.duplicate().position(args.position() + 1).get(out);
                return out;
            }
        }
        try {
            JsonNode args = JSON.readTree(bytes(m.arguments()));
            if (args == null || !args.isArray() || args.isEmpty()) {
                return new byte[0];
            }
            if (args.size() > 1) {
                return JSON.writeValueAsBytes(args);
            }
            JsonNode only = args.get(0);
            if (only.isTextual()) {
                return only.asText().getBytes(StandardCharsets.UTF_8);
            }
            if (only.isObject() && only.path("_placeholder").asBoolean(false) && only.has("num")) {
                int i = only.get("num").asInt();
                return i >= 0 && i < m.attachmentCount() ? bytes(m.attachment(i)) : null;
            }
            return JSON.writeValueAsBytes(only);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether {@code b} is exactly one JSON value in UTF-8 (whitespace around allowed). Bytes Jackson would
     * read in another encoding (a NUL byte: UTF-16/32) or with a BOM are not, so they can be embedded as
     * they are in the UTF-8 arguments array.
     */
    static boolean isJsonValue(byte[] b) {
        if (b.length == 0 || (b[0] & 0xFF) == 0xEF) {
            return false;
        }
        for (byte x : b) {
            if (x == 0) {
                return false;
            }
        }
        try (JsonParser p = FACTORY.createParser(b)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] meta(String topic, int qos, boolean retain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(topic.length() + 32);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("topic", topic);
            g.writeNumberField("qos", qos);
            g.writeBooleanField("retain", retain);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // in-memory: cannot happen
        }
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
