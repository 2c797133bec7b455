package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.switchboard.core.message.Message;
import dev.switchboard.testkit.LeakDetectorExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT 5 features with HiveMQ's client and Paho mqttv5: user properties (also to and from fabric headers),
 * request/response properties, message expiry, topic aliases, subscription identifiers, will delay.
 */
@ExtendWith(LeakDetectorExtension.class)
class V5FeaturesTest {

    @TempDir
    Path dir;

    private StoredGateway gw;

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private Mqtt5BlockingClient hive(String id) {
        return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.port()).buildBlocking();
    }

    @Test
    void userPropertiesAndRequestResponsePropertiesTravelFromPublisherToSubscriber() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        Mqtt5BlockingClient sub = hive("v5-sub");
        sub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("rpc/+/req").qos(MqttQos.AT_LEAST_ONCE).send();
            MqttClient pub = new MqttClient(gw.uri(), "v5-pub", new MemoryPersistence());
            pub.connect(new MqttConnectionOptions());
            MqttProperties props = new MqttProperties();
            props.setUserProperties(List.of(new UserProperty("trace", "abc"), new UserProperty("mqtt.origin", "x")));
            props.setResponseTopic("rpc/k1/resp");
            props.setCorrelationData(new byte[] {1, 2, 3});
            props.setContentType("application/json");
            props.setPayloadFormat(true);
            props.setMessageExpiryInterval(600L);
            MqttMessage m = new MqttMessage("{\"op\":\"reboot\"}".getBytes(StandardCharsets.UTF_8), 1, false, props);
            pub.publish("rpc/k1/req", m);
            pub.disconnect();
            pub.close();

            Mqtt5Publish got = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(got.getUserProperties().asList()).extracting(p -> p.getName() + "=" + p.getValue())
                    .containsExactlyInAnyOrder("trace=abc", "mqtt.origin=x");
            assertThat(got.getResponseTopic()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("rpc/k1/resp"));
            assertThat(got.getCorrelationData()).hasValueSatisfying(b -> {
                byte[] c = new byte[b.remaining()];
                b.duplicate().get(c);
                assertThat(c).containsExactly(1, 2, 3);
            });
            assertThat(got.getContentType()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("application/json"));
            assertThat(got.getPayloadFormatIndicator()).isPresent();
            assertThat(got.getMessageExpiryInterval().orElseThrow()).isBetween(595L, 600L);
        }
        sub.disconnect();
    }

    @Test
    void fabricHeadersArriveAsUserPropertiesAndMqttUserPropertiesBecomeHeaders() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        Mqtt5BlockingClient sub = hive("v5-headers");
        sub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("orders/#").qos(MqttQos.AT_LEAST_ONCE).send();
            // A publication from another protocol (a Kafka bridge, the HTTP API) with headers.
            gw.gw.router.publish(Message.builder("/", "order").rooms(Set.of("orders/7"))
                    .arguments("[\"paid\"]").headers(Map.of("traceparent", "00-abc-01", "tenant", "t1")).build());
            Mqtt5Publish got = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("paid");
            assertThat(got.getUserProperties().asList()).extracting(p -> p.getName() + "=" + p.getValue())
                    .containsExactlyInAnyOrder("traceparent=00-abc-01", "tenant=t1");
        }
        sub.disconnect();

        // And the other way: an MQTT user property is a header of the fabric message.
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        FabricProbe probe = FabricProbe.subscribe(gw.gw, "orders/8", seen);
        try {
            Mqtt5BlockingClient pub = hive("v5-headers-pub");
            pub.connect();
            pub.publishWith().topic("orders/8").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes(StandardCharsets.UTF_8))
                    .userProperties().add("tenant", "t2").applyUserProperties().send();
            pub.disconnect();
            Message m = seen.poll(10, TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.headers()).containsEntry("tenant", "t2");
        } finally {
            probe.close();
        }
    }

    @Test
    void anExpiredPublicationIsNotDeliveredToAReturningSessionAndALiveOneCarriesWhatRemains() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        Mqtt5BlockingClient device = hive("v5-expiry");
        device.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        device.subscribeWith().topicFilter("fw/#").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect();
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gw.server.offlineSessions() == 1);

        Mqtt5BlockingClient pub = hive("v5-expiry-pub");
        pub.connect();
        long sent = System.currentTimeMillis();
        pub.publishWith().topic("fw/short").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1)
                .payload("stale".getBytes(StandardCharsets.UTF_8)).send();
        pub.publishWith().topic("fw/long").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(300)
                .payload("fresh".getBytes(StandardCharsets.UTF_8)).send();
        pub.disconnect();
        // The condition is the passing of the first one's expiry interval.
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > sent + 1100);

        Mqtt5BlockingClient again = hive("v5-expiry");
        try (Mqtt5BlockingClient.Mqtt5Publishes in = again.publishes(MqttGlobalPublishFilter.ALL)) {
            again.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
            Mqtt5Publish got = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(got.getTopic().toString()).isEqualTo("fw/long");
            assertThat(got.getMessageExpiryInterval().orElseThrow()).isBetween(290L, 299L);
            assertThat(in.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
        again.disconnect();
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.gw.metrics.droppedCount("expired") == 1);
    }

    @Test
    void topicAliasesFromTheClientAreResolved() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder().topicAliasMaximum(4));
        Mqtt5BlockingClient sub = hive("alias-sub");
        sub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("tele/#").qos(MqttQos.AT_LEAST_ONCE).send();
            // HiveMQ's client uses aliases for topics it sends repeatedly once the server allows them.
            Mqtt5BlockingClient pub = hive("alias-pub");
            assertThat(pub.connectWith().restrictions().sendTopicAliasMaximum(4).applyRestrictions().send()
                    .getRestrictions().getTopicAliasMaximum()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                pub.publishWith().topic(i % 2 == 0 ? "tele/a/speed" : "tele/b/speed").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("" + i).getBytes(StandardCharsets.UTF_8)).send();
            }
            pub.disconnect();
            for (int i = 0; i < 4; i++) {
                Mqtt5Publish got = in.receive(10, TimeUnit.SECONDS).orElseThrow();
                assertThat(got.getTopic().toString()).isEqualTo(i % 2 == 0 ? "tele/a/speed" : "tele/b/speed");
                assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("" + i);
            }
        }
        sub.disconnect();
    }

    @Test
    void pahoGetsTheSubscriptionIdentifiersOfEveryMatchingSubscription() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        BlockingQueue<MqttMessage> inbox = new LinkedBlockingQueue<>();
        MqttAsyncClient c = new MqttAsyncClient(gw.uri(), "paho-subid", new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {}

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                inbox.add(m);
            }

            @Override
            public void deliveryComplete(IMqttToken t) {}

            @Override
            public void connectComplete(boolean reconnect, String uri) {}

            @Override
            public void authPacketArrived(int reason, MqttProperties p) {}
        });
        c.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        MqttProperties one = new MqttProperties();
        one.setSubscriptionIdentifier(7);
        c.subscribe(new MqttSubscription[] {new MqttSubscription("home/+/temp", 1)}, null, null, one).waitForCompletion(10_000);
        MqttProperties two = new MqttProperties();
        two.setSubscriptionIdentifier(42);
        c.subscribe(new MqttSubscription[] {new MqttSubscription("home/#", 1)}, null, null, two).waitForCompletion(10_000);
        c.publish("home/kitchen/temp", new MqttMessage("21".getBytes(StandardCharsets.UTF_8), 1, false, null))
                .waitForCompletion(10_000);
        MqttMessage got = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(got.getProperties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(7, 42);
        c.publish("home/hall", new MqttMessage("x".getBytes(StandardCharsets.UTF_8), 1, false, null))
                .waitForCompletion(10_000);
        MqttMessage onlyTwo = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(onlyTwo).isNotNull();
        assertThat(onlyTwo.getProperties().getSubscriptionIdentifiers()).containsExactly(42);
        c.disconnect().waitForCompletion(10_000);
        c.close();
    }

    @Test
    void aWillWaitsForItsDelayAndIsNotSentWhenTheClientComesBackInTime() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        Mqtt5BlockingClient watcher = hive("will-watcher");
        watcher.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("lwt/#").qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt5BlockingClient late = hive("will-late");
            late.connectWith().sessionExpiryInterval(60).willPublish().topic("lwt/late")
                    .payload("gone".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).delayInterval(1)
                    .applyWillPublish().send();
            long left = System.currentTimeMillis();
            late.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            Mqtt5Publish will = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(will.getTopic().toString()).isEqualTo("lwt/late");
            assertThat(System.currentTimeMillis() - left).as("published after its delay").isGreaterThanOrEqualTo(900);

            Mqtt5BlockingClient back = hive("will-back");
            back.connectWith().sessionExpiryInterval(60).willPublish().topic("lwt/back")
                    .payload("gone".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).delayInterval(2)
                    .applyWillPublish().send();
            back.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            Mqtt5BlockingClient returned = hive("will-back");
            assertThat(returned.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();
            assertThat(in.receive(3, TimeUnit.SECONDS)).as("the client came back within the delay").isEmpty();
            returned.disconnect();
        }
        watcher.disconnect();
    }
}
