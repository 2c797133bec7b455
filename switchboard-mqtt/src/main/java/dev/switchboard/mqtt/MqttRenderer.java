package dev.switchboard.mqtt;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.MessageRenderer;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Renders a {@link Message} for MQTT subscribers, once per publication: not a finished PUBLISH packet,
 * since QoS, packet id and the retain flag differ per subscriber, but its parts, which each subscriber
 * wraps in its own PUBLISH without copying them:
 * <ol>
 *   <li>frame 0: the topic (the message's first room), UTF-8;</li>
 *   <li>frame 1: the payload ({@link MqttMapping#payloadOf});</li>
 *   <li>frame 2: one flags byte (bits 0-1 the publication's QoS, bit 2 its retain flag), then the
 *       publishing MQTT connection's id, UTF-8 (empty when another protocol published);</li>
 *   <li>frame 3: the MQTT 5 properties the headers carry ({@link V5Properties#encode()}; empty for none).</li>
 * </ol>
 * A message to the whole namespace (no room, so no topic) or without a payload it can express is not
 * rendered (the router counts it as unrenderable). A publication from another protocol is rendered with
 * QoS 2, so the subscription's QoS alone decides.
 */
final class MqttRenderer implements MessageRenderer {

    /** The wire format of every MQTT subscriber. */
    static final WireFormat FORMAT = () -> "mqtt";

    static final int FLAG_RETAIN = 4;

    static final MqttRenderer INSTANCE = new MqttRenderer();

    private MqttRenderer() {}

    @Override
    public EncodedMessage render(Message message, WireFormat format, ByteBufAllocator alloc) {
        if (message.rooms().isEmpty()) {
            return null;
        }
        byte[] payload = MqttMapping.payloadOf(message);
        if (payload == null) {
            return null;
        }
        String topic = message.rooms().iterator().next();
        int qos = 2;
        boolean retain = false;
        String publisher = "";
        if (MqttMapping.PROTOCOL.equals(message.originProtocol())) {
            qos = Integer.parseInt(message.headers().getOrDefault(MqttMapping.H_QOS, "0"));
            retain = Boolean.parseBoolean(message.headers().get(MqttMapping.H_RETAIN));
            publisher = message.headers().getOrDefault(MqttMapping.H_PUBLISHER, "");
        }
        byte[] props = V5Properties.fromHeaders(message.headers()).encode();
        ByteBuf t = null;
        ByteBuf p = null;
        ByteBuf m = null;
        ByteBuf v = null;
        try {
            t = ByteBufUtil.writeUtf8(alloc, topic);
            p = alloc.buffer(payload.length).writeBytes(payload);
            m = alloc.buffer(1 + publisher.length());
            m.writeByte((qos & 3) | (retain ? FLAG_RETAIN : 0));
            ByteBufUtil.writeUtf8(m, publisher);
            v = props.length == 0 ? Unpooled.EMPTY_BUFFER : alloc.buffer(props.length).writeBytes(props);
            EncodedMessage out = EncodedMessage.of(format, t, p, m, v);
            t = p = m = v = null; // owned by out
            return out;
        } finally {
            release(t);
            release(p);
            release(m);
            release(v);
        }
    }

    private static void release(ByteBuf b) {
        if (b != null) {
            b.release();
        }
    }
}
