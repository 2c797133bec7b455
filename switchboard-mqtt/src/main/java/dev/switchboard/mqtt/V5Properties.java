package dev.switchboard.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The MQTT 5 properties of a publication that travel with it (5.0 3.3.2.3): User Properties, Message Expiry
 * (kept as the absolute time it expires, so each hop computes what remains), Response Topic, Correlation
 * Data, Content Type, Payload Format Indicator. Immutable.
 *
 * <p>In the fabric they are {@link dev.switchboard.core.message.Message#headers() headers}: a user property
 * is a header of the same name (so Kafka headers, AMQP properties and Socket.IO publications' headers reach
 * MQTT 5 subscribers as user properties, and back); the others are headers {@code mqtt.expires-at} (epoch
 * ms), {@code mqtt.response-topic}, {@code mqtt.correlation-data} (base64), {@code mqtt.content-type},
 * {@code mqtt.payload-format}. Headers are a map, so a user property name sent twice keeps its last value.
 * A user property whose name starts with {@code mqtt.} travels as {@code mqtt.user.<name>}.
 *
 * <p>Between the renderer and subscribers, and in the store, they are {@link #encode() bytes}; an empty
 * array means none.
 */
record V5Properties(List<String[]> user, long expiresAt, String responseTopic, byte[] correlationData,
        String contentType, int payloadFormat) {

    static final V5Properties NONE = new V5Properties(List.of(), 0, null, null, null, -1);
    static final byte[] NO_BYTES = new byte[0];

    static final String H_EXPIRES_AT = "mqtt.expires-at";
    static final String H_RESPONSE_TOPIC = "mqtt.response-topic";
    static final String H_CORRELATION = "mqtt.correlation-data";
    static final String H_CONTENT_TYPE = "mqtt.content-type";
    static final String H_PAYLOAD_FORMAT = "mqtt.payload-format";
    private static final String RESERVED = "mqtt.";
    private static final String ESCAPED = "mqtt.user.";
    private static final int FORMAT = 1;

    boolean isEmpty() {
        return user.isEmpty() && expiresAt == 0 && responseTopic == null && correlationData == null
                && contentType == null && payloadFormat < 0;
    }

    boolean expired(long nowMillis) {
        return expiresAt != 0 && expiresAt <= nowMillis;
    }

    /** Those of an incoming PUBLISH received at {@code nowMillis}. */
    static V5Properties of(MqttProperties p, long nowMillis) {
        if (p == null || p.isEmpty()) {
            return NONE;
        }
        List<String[]> user = new ArrayList<>();
        MqttProperties.MqttProperty<?> up = p.getProperty(MqttPropertyType.USER_PROPERTY.value());
        if (up instanceof UserProperties u) {
            for (StringPair pair : u.value()) {
                user.add(new String[] {pair.key, pair.value});
            }
        }
        long expiresAt = 0;
        if (p.getProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value()) instanceof IntegerProperty e) {
            expiresAt = nowMillis + Integer.toUnsignedLong(e.value()) * 1000L;
        }
        String responseTopic = p.getProperty(MqttPropertyType.RESPONSE_TOPIC.value()) instanceof StringProperty s
                ? s.value() : null;
        byte[] correlation = p.getProperty(MqttPropertyType.CORRELATION_DATA.value()) instanceof BinaryProperty b
                ? b.value() : null;
        String contentType = p.getProperty(MqttPropertyType.CONTENT_TYPE.value()) instanceof StringProperty s
                ? s.value() : null;
        int format = p.getProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value()) instanceof IntegerProperty f
                ? f.value() : -1;
        return new V5Properties(user, expiresAt, responseTopic, correlation, contentType, format);
    }

    /** Adds them to {@code headers}. */
    void toHeaders(Map<String, String> headers) {
        for (String[] kv : user) {
            headers.put(kv[0].startsWith(RESERVED) ? ESCAPED + kv[0] : kv[0], kv[1]);
        }
        if (expiresAt != 0) {
            headers.put(H_EXPIRES_AT, Long.toString(expiresAt));
        }
        if (responseTopic != null) {
            headers.put(H_RESPONSE_TOPIC, responseTopic);
        }
        if (correlationData != null) {
            headers.put(H_CORRELATION, Base64.getEncoder().encodeToString(correlationData));
        }
        if (contentType != null) {
            headers.put(H_CONTENT_TYPE, contentType);
        }
        if (payloadFormat >= 0) {
            headers.put(H_PAYLOAD_FORMAT, Integer.toString(payloadFormat));
        }
    }

    /** Those carried by a fabric message's headers (any protocol's); malformed special headers are ignored. */
    static V5Properties fromHeaders(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return NONE;
        }
        List<String[]> user = new ArrayList<>();
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String k = h.getKey();
            if (k.startsWith(ESCAPED)) {
                user.add(new String[] {k.substring(ESCAPED.length()), h.getValue()});
            } else if (!k.startsWith(RESERVED)) {
                user.add(new String[] {k, h.getValue()});
            }
        }
        long expiresAt = 0;
        int format = -1;
        byte[] correlation = null;
        try {
            String e = headers.get(H_EXPIRES_AT);
            expiresAt = e == null ? 0 : Long.parseLong(e);
            String f = headers.get(H_PAYLOAD_FORMAT);
            format = f == null ? -1 : Integer.parseInt(f);
            String c = headers.get(H_CORRELATION);
            correlation = c == null ? null : Base64.getDecoder().decode(c);
        } catch (IllegalArgumentException ignoredMalformedHeader) {
            // A header set by another protocol that is not ours to interpret: carried as nothing.
        }
        V5Properties p = new V5Properties(user, expiresAt, headers.get(H_RESPONSE_TOPIC), correlation,
                headers.get(H_CONTENT_TYPE), format);
        return p.isEmpty() ? NONE : p;
    }

    /**
     * The properties of an outgoing PUBLISH at {@code nowMillis} (the expiry interval is what remains,
     * 5.0 3.3.2-6), plus the matching subscriptions' identifiers; null when the message has expired.
     */
    MqttProperties toMqtt(long nowMillis, List<Integer> subscriptionIds) {
        if (expired(nowMillis)) {
            return null;
        }
        if (isEmpty() && subscriptionIds.isEmpty()) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        if (!user.isEmpty()) {
            List<StringPair> pairs = new ArrayList<>(user.size());
            for (String[] kv : user) {
                pairs.add(new StringPair(kv[0], kv[1]));
            }
            p.add(new UserProperties(pairs));
        }
        if (expiresAt != 0) {
            long remaining = Math.max(1, (expiresAt - nowMillis + 999) / 1000);
            p.add(new IntegerProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), (int) remaining));
        }
        if (responseTopic != null) {
            p.add(new StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), responseTopic));
        }
        if (correlationData != null) {
            p.add(new BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), correlationData));
        }
        if (contentType != null) {
            p.add(new StringProperty(MqttPropertyType.CONTENT_TYPE.value(), contentType));
        }
        if (payloadFormat >= 0) {
            p.add(new IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), payloadFormat));
        }
        for (int id : subscriptionIds) {
            p.add(new IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), id));
        }
        return p;
    }

    byte[] encode() {
        if (isEmpty()) {
            return NO_BYTES;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(user.size());
            for (String[] kv : user) {
                out.writeUTF(kv[0]);
                out.writeUTF(kv[1]);
            }
            out.writeLong(expiresAt);
            writeNullable(out, responseTopic);
            out.writeInt(correlationData == null ? -1 : correlationData.length);
            if (correlationData != null) {
                out.write(correlationData);
            }
            writeNullable(out, contentType);
            out.writeInt(payloadFormat);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    static V5Properties decode(byte[] b) {
        if (b == null || b.length == 0) {
            return NONE;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown MQTT properties format " + format);
            }
            int n = in.readInt();
            List<String[]> user = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                user.add(new String[] {in.readUTF(), in.readUTF()});
            }
            long expiresAt = in.readLong();
            String responseTopic = readNullable(in);
            int len = in.readInt();
            byte[] correlation = null;
            if (len >= 0) {
                correlation = new byte[len];
                in.readFully(correlation);
            }
            String contentType = readNullable(in);
            int payloadFormat = in.readInt();
            return new V5Properties(user, expiresAt, responseTopic, correlation, contentType, payloadFormat);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt MQTT properties: " + e.getMessage(), e);
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
