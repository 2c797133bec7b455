package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.switchboard.testkit.LeakDetectorExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MQTT 5.0 with Eclipse Paho's mqttv5 client and HiveMQ's client. */
@ExtendWith(LeakDetectorExtension.class)
class PahoV5AndHiveMqTest {

    private final GatewayFixture gw = new GatewayFixture();
    private final List<Mqtt5BlockingClient> hive = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Mqtt5BlockingClient c : hive) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
        gw.close();
    }

    private Mqtt5BlockingClient hive(String id) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.port)
                .buildBlocking();
        hive.add(c);
        return c;
    }

    @Test
    void pahoV5SeesInConnackWhatTheServerSupports() throws Exception {
        MqttClient c = new MqttClient(gw.uri(), "", new MemoryPersistence());
        try {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setSessionExpiryInterval(3600L);
            IMqttToken t = c.connectWithResult(o);
            MqttProperties p = t.getResponseProperties();
            assertThat(p.isSharedSubscriptionAvailable()).isTrue();
            assertThat(p.isSubscriptionIdentifiersAvailable()).isTrue();
            assertThat(p.isWildcardSubscriptionsAvailable()).isTrue();
            assertThat(p.isRetainAvailable()).isTrue();
            assertThat(p.getTopicAliasMaximum()).isEqualTo(32);
            assertThat(p.getReceiveMaximum()).isEqualTo(64);
            assertThat(p.getMaximumPacketSize()).isEqualTo(1024L * 1024);
            assertThat(p.getSessionExpiryInterval()).as("no store here: sessions are not kept").isZero();
            assertThat(p.getAssignedClientIdentifier()).startsWith("auto-");
            assertThat(t.getSessionPresent()).isFalse();
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void pahoV5PublishesQos2ToAHiveMqWildcardSubscriber() throws Exception {
        Mqtt5BlockingClient sub = hive("hive-sub");
        sub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("lab/#").qos(MqttQos.EXACTLY_ONCE).send();
            MqttClient pub = new MqttClient(gw.uri(), "paho5-pub", new MemoryPersistence());
            pub.connect();
            try {
                pub.publish("lab/a/b", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), 2, false);
                pub.publish("lab", "root".getBytes(StandardCharsets.UTF_8), 1, false);
            } finally {
                pub.disconnect();
                pub.close();
            }
            Mqtt5Publish first = inbox.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(first.getTopic().toString()).isEqualTo("lab/a/b");
            assertThat(first.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
            assertThat(new String(first.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":1}");
            Mqtt5Publish second = inbox.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(second.getTopic().toString()).as("# matches the parent level").isEqualTo("lab");
            assertThat(second.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        }
    }

    @Test
    void hiveMqReadsTheRestrictionsAndIsGrantedASharedSubscription() {
        Mqtt5BlockingClient c = hive("hive-restrictions");
        Mqtt5ConnAck ack = c.connect();
        Mqtt5ConnAckRestrictions r = ack.getRestrictions();
        assertThat(r.isSharedSubscriptionAvailable()).isTrue();
        assertThat(r.areSubscriptionIdentifiersAvailable()).isTrue();
        assertThat(r.isWildcardSubscriptionAvailable()).isTrue();
        assertThat(r.isRetainAvailable()).isTrue();
        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(r.getReceiveMaximum()).isEqualTo(64);
        assertThat(r.getTopicAliasMaximum()).isEqualTo(32);

        Mqtt5SubAck subAck = c.subscribe(Mqtt5Subscribe.builder()
                .addSubscription().topicFilter("ok/+").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("$share/group/ok/+").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .build());
        assertThat(subAck.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    }

    @Test
    void noLocalAndRetainHandlingAreHonoured() throws Exception {
        Mqtt5BlockingClient c = hive("hive-options");
        c.connect();
        c.publishWith().topic("opt/retained").payload("kept".getBytes()).retain(true).qos(MqttQos.AT_LEAST_ONCE).send();
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribe(Mqtt5Subscribe.builder()
                    .addSubscription().topicFilter("opt/#").qos(MqttQos.AT_LEAST_ONCE).noLocal(true)
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).applySubscription().build());
            c.publishWith().topic("opt/own").payload("mine".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient other = hive("hive-other");
            other.connect();
            other.publishWith().topic("opt/theirs").payload("theirs".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
            Optional<Mqtt5Publish> got = inbox.receive(10, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(got.get().getTopic().toString())
                    .as("neither the retained message (DO_NOT_SEND) nor its own publication (no local)")
                    .isEqualTo("opt/theirs");
        }
    }
}
