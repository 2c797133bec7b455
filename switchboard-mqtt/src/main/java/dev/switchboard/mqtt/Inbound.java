package dev.switchboard.mqtt;

import dev.switchboard.core.message.Message;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A connection's incoming publications: topic aliases, the QoS 1/2 acknowledgement flows (QoS 2 published
 * once, on PUBLISH, with its packet id held until PUBREL: method B of 5.0 4.3.3), and handing them to the
 * fabric and the retained store. Confined to the connection's event loop, except {@link #publish}, which a
 * delayed will calls from its timer (it only touches thread-safe parts).
 */
final class Inbound {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Inbound.class);

    private final MqttConnection conn;
    /** Topic aliases the client set (v5), at most {@link MqttConfig#topicAliasMaximum()} of them. */
    private Map<Integer, String> topicAliases;

    Inbound(MqttConnection conn) {
        this.conn = conn;
    }

    void onPublish(MqttPublishMessage m) {
        var vh = m.variableHeader();
        int qos = m.fixedHeader().qosLevel().value();
        String topic = vh.topicName();
        if (conn.version() == MqttVersion.MQTT_5
                && vh.properties().getProperty(MqttPropertyType.TOPIC_ALIAS.value()) instanceof IntegerProperty a) {
            // 5.0 3.3.2.3.4: an alias with a topic sets it, an alias alone names the topic it was set to.
            int alias = a.value();
            if (alias == 0 || alias > conn.gw.config().topicAliasMaximum()) {
                conn.close("topic alias " + alias + " outside 1.." + conn.gw.config().topicAliasMaximum(), MqttConnection.RC_TOPIC_ALIAS_INVALID);
                return;
            }
            if (topic == null || topic.isEmpty()) {
                topic = topicAliases == null ? null : topicAliases.get(alias);
                if (topic == null) {
                    conn.close("topic alias " + alias + " used before it was set", MqttConnection.RC_PROTOCOL_ERROR);
                    return;
                }
            } else {
                if (topicAliases == null) {
                    topicAliases = new HashMap<>();
                }
                topicAliases.put(alias, topic);
            }
        }
        if (topic == null || topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            conn.close("invalid topic name '" + topic + "' in PUBLISH", MqttConnection.RC_TOPIC_NAME_INVALID);
            return;
        }
        int packetId = vh.packetId();
        conn.gw.metrics().messageIn(qos);
        Set<Integer> awaitingRelease = conn.link().session.awaitingRelease;
        if (qos == 2) {
            if (awaitingRelease.contains(packetId)) {
                // A DUP of a publication already taken: answer again, publish once (method B of 4.3.3).
                conn.ctx().writeAndFlush(conn.pubReply(MqttMessageType.PUBREC, packetId, MqttConnection.RC_NORMAL));
                return;
            }
            if (awaitingRelease.size() >= conn.gw.config().receiveMaximum()) {
                conn.close("more than " + conn.gw.config().receiveMaximum() + " QoS 2 publications awaiting PUBREL",
                        MqttConnection.RC_RECEIVE_MAXIMUM_EXCEEDED);
                return;
            }
        }
        byte[] payload = ByteBufUtil.getBytes(m.payload());
        boolean retain = m.fixedHeader().isRetain();
        publish(topic, payload, qos, retain, conn.version() == MqttVersion.MQTT_5
                ? V5Properties.of(vh.properties(), System.currentTimeMillis()) : V5Properties.NONE);
        if (qos == 1) {
            conn.ctx().writeAndFlush(conn.pubReply(MqttMessageType.PUBACK, packetId, MqttConnection.RC_NORMAL));
        } else if (qos == 2) {
            awaitingRelease.add(packetId);
            conn.ctx().writeAndFlush(conn.pubReply(MqttMessageType.PUBREC, packetId, MqttConnection.RC_NORMAL));
        }
    }

    /** To the fabric (every subscriber of the room, MQTT and others) and, when retained, to the store. */
    void publish(String topic, byte[] payload, int qos, boolean retain, V5Properties props) {
        if (retain && !conn.gw.retained().put(topic, payload, qos, props.encode())) {
            conn.gw.metrics().dropped("retained_full");
        }
        Message message = MqttMapping.toMessage(conn.gw.config().namespace(), conn.gw.config().event(), conn.gw.router().nodeId(),
                topic, qos, retain, payload, conn.id(), props);
        conn.gw.router().publish(message);
    }

    void onPubRel(int packetId) {
        boolean known = conn.link().session.awaitingRelease.remove(packetId);
        conn.ctx().writeAndFlush(conn.pubReply(MqttMessageType.PUBCOMP, packetId, known ? MqttConnection.RC_NORMAL : MqttConnection.RC_PACKET_ID_NOT_FOUND));
    }

    /**
     * The connection ended without DISCONNECT (or with v5 reason 0x04): publishes its will now, or after the
     * Will Delay Interval or the session's end, whichever comes first (5.0 3.1.3.2.2); not at all if the client
     * resumes the session before ({@link Sessions#attach} cancels it).
     */
    void lastWill(MqttConnection.Will w, Session session, String clientId, io.netty.util.concurrent.EventExecutor loop) {
        long delay = Math.min(w.delaySeconds(), session.persistent() ? session.expirySeconds : 0);
        Runnable publishWill = () -> {
            log.debug("MQTT client {} ({}) gone without DISCONNECT: will to {}", clientId, conn.id(), w.topic());
            publish(w.topic(), w.payload(), w.qos(), w.retain(), V5Properties.decode(w.props()));
        };
        if (delay == 0) {
            publishWill.run();
        } else {
            conn.gw.sessions().delayWill(clientId, publishWill,
                    loop.schedule(publishWill, delay, java.util.concurrent.TimeUnit.SECONDS));
        }
    }
}
