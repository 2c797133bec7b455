package dev.switchboard.mqtt;

import dev.switchboard.core.routing.TopicFilter;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The subscriptions of one connection: SUBSCRIBE/UNSUBSCRIBE, the fabric's pattern subscriptions behind
 * them, the QoS to deliver at, and retained messages on subscribe. Confined to the connection's event loop.
 *
 * <p>Every filter is one {@code Router.subscribePattern} in the configured namespace, so the fabric
 * delivers a publication to this connection once however many of its filters match; {@link #grantFor}
 * then picks the highest QoS among the matching ones (MQTT 5.0 3.3.4-2 allows one delivery at the
 * maximum QoS; users of 3.1.1 expect the same).
 */
final class Subscriptions {

    /**
     * One subscription's options (MQTT 5.0 3.8.3.1; 3.1.1 has only the QoS) and its v5 Subscription
     * Identifier (3.8.2.1.2; 0 = none).
     */
    record Sub(TopicFilter filter, int qos, boolean noLocal, boolean retainAsPublished, int subscriptionId,
            SharedSubscriptions.Name shared) {

        /** Restores a subscription by the filter the client sent ({@code $share/...} included). */
        static Sub of(String f, int qos, boolean noLocal, boolean retainAsPublished, int subscriptionId) {
            SharedSubscriptions.Name shared = f.startsWith(SharedSubscriptions.PREFIX) ? SharedSubscriptions.Name.parse(f) : null;
            if (f.startsWith(SharedSubscriptions.PREFIX) && shared == null) {
                throw new IllegalArgumentException("invalid shared subscription " + f);
            }
            return new Sub(TopicFilter.of(shared == null ? f : shared.filter()), qos, noLocal, retainAsPublished,
                    subscriptionId, shared);
        }
    }

    /** Takes the session's subscriptions into the fabric (a connection resumed it); on its loop. */
    static void attach(Gateway gw, Map<String, Sub> byFilter, MqttConnection conn) {
        for (Map.Entry<String, Sub> e : byFilter.entrySet()) {
            if (e.getValue().shared() != null) {
                gw.shared().join(e.getValue().shared(), conn, e.getValue().qos());
            } else {
                gw.router().subscribePattern(gw.config().namespace(), e.getKey(), conn);
            }
        }
    }

    /** The connection ends: it leaves its shared groups (the caller detaches it from the fabric). */
    static void leaveShared(Gateway gw, Map<String, Sub> byFilter, MqttConnection conn) {
        for (Sub s : byFilter.values()) {
            if (s.shared() != null) {
                gw.shared().leave(s.shared(), conn);
            }
        }
    }

    /** How to deliver a publication: QoS and whether to keep its retain flag. */
    record Grant(int qos, boolean retainAsPublished) {}

    private final Gateway gw;
    private final MqttConnection conn;
    private final SessionLink link;
    /** The session's subscriptions (owned by this connection while it owns the session). */
    private final Map<String, Sub> byFilter;

    Subscriptions(Gateway gw, MqttConnection conn, SessionLink link) {
        this.gw = gw;
        this.conn = conn;
        this.link = link;
        this.byFilter = link.session.subs;
    }

    /** The grant for a publication to {@code topic} under {@code byFilter}, or null if no subscription matches it. */
    static Grant grantFor(Map<String, Sub> byFilter, String topic, boolean ownPublication) {
        int qos = -1;
        boolean rap = false;
        for (Sub s : byFilter.values()) {
            if (s.shared() != null || (ownPublication && s.noLocal()) || !s.filter().matches(topic)) {
                continue;
            }
            qos = Math.max(qos, s.qos());
            rap |= s.retainAsPublished();
        }
        return qos < 0 ? null : new Grant(qos, rap);
    }

    /** The identifiers of the subscriptions matching {@code topic}, each once (5.0 3.3.4-3 sends them all). */
    static List<Integer> subscriptionIds(Map<String, Sub> byFilter, String topic) {
        List<Integer> ids = new ArrayList<>(1);
        for (Sub s : byFilter.values()) {
            if (s.shared() == null && s.subscriptionId() != 0 && !ids.contains(s.subscriptionId()) && s.filter().matches(topic)) {
                ids.add(s.subscriptionId());
            }
        }
        return ids;
    }

    void onSubscribe(MqttSubscribeMessage m) {
        boolean v5 = conn.version() == MqttVersion.MQTT_5;
        int packetId = m.variableHeader().messageId();
        MqttProperties props = m.idAndPropertiesVariableHeader().properties();
        int subscriptionId = 0;
        if (v5 && props.getProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value())
                instanceof MqttProperties.IntegerProperty sid) {
            subscriptionId = sid.value();
            if (subscriptionId <= 0 || subscriptionId > 268_435_455) {
                conn.close("subscription identifier " + subscriptionId + " outside 1..268435455", MqttConnection.RC_PROTOCOL_ERROR);
                return;
            }
        }
        List<MqttTopicSubscription> subs = m.payload().topicSubscriptions();
        int[] codes = new int[subs.size()];
        List<RetainedStore.Retained> toSend = new ArrayList<>();
        List<Integer> toSendQos = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription ts = subs.get(i);
            String f = ts.topicFilter();
            MqttSubscriptionOption o = ts.option();
            Sub sub;
            try {
                sub = Sub.of(f, o.qos().value(), o.isNoLocal(), o.isRetainAsPublished(), subscriptionId);
            } catch (IllegalArgumentException e) {
                codes[i] = v5 ? MqttConnection.RC_TOPIC_FILTER_INVALID & 0xFF : 0x80;
                continue;
            }
            if (sub.shared() != null && sub.noLocal()) {
                conn.close("No Local on shared subscription " + f + " (5.0 3.8.3.1)", MqttConnection.RC_PROTOCOL_ERROR);
                return;
            }
            TopicFilter filter = sub.filter();
            int qos = sub.qos();
            Sub previous = byFilter.put(f, sub);
            if (sub.shared() != null) {
                gw.shared().join(sub.shared(), conn, qos);
            } else if (previous == null) {
                gw.router().subscribePattern(gw.config().namespace(), f, conn);
            }
            if (previous == null) {
                gw.metrics().subscriptions(1);
            }
            codes[i] = qos;
            if (sub.shared() != null) {
                continue; // no retained messages for a shared subscription (5.0 4.8.2)
            }
            RetainedHandlingPolicy rh = o.retainHandling();
            if (rh == RetainedHandlingPolicy.SEND_AT_SUBSCRIBE
                    || (rh == RetainedHandlingPolicy.SEND_AT_SUBSCRIBE_IF_NOT_YET_EXISTS && previous == null)) {
                for (RetainedStore.Retained r : gw.retained().matching(filter)) {
                    toSend.add(r);
                    toSendQos.add(Math.min(qos, r.qos()));
                }
            }
        }
        link.subscriptionsChanged();
        conn.ctx().write(new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes)));
        // Retained messages after the SUBACK, with the retain flag set (3.3.1-8 / 5.0 3.3.1-9).
        for (int i = 0; i < toSend.size(); i++) {
            RetainedStore.Retained r = toSend.get(i);
            if (!conn.send(r.topic(), MqttConnection.wrap(r.payload()), toSendQos.get(i), true, r.props())) {
                break; // closing or full
            }
        }
        conn.ctx().flush();
    }

    void onUnsubscribe(MqttUnsubscribeMessage m) {
        List<String> filters = m.payload().topics();
        Short[] codes = new Short[filters.size()];
        for (int i = 0; i < codes.length; i++) {
            String f = filters.get(i);
            Sub removed = byFilter.remove(f);
            if (removed != null) {
                if (removed.shared() != null) {
                    gw.shared().leave(removed.shared(), conn);
                } else {
                    gw.router().unsubscribePattern(gw.config().namespace(), f, conn);
                }
                gw.metrics().subscriptions(-1);
            }
            codes[i] = removed != null ? 0 : (short) MqttConnection.RC_NO_SUBSCRIPTION_EXISTED;
        }
        link.subscriptionsChanged();
        conn.ctx().writeAndFlush(MqttMessageBuilders.unsubAck()
                .packetId(m.variableHeader().messageId())
                .addReasonCodes(codes)
                .build());
    }
}
