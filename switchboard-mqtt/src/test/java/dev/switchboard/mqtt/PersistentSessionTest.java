package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.switchboard.testkit.LeakDetectorExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Persistent sessions kept in the embedded stores: subscriptions and queued QoS 1/2 publications while the
 * client is away, across a restart of the gateway and its stores; redelivery with DUP and the same packet
 * id; the offline bound; v5 session expiry. Real clients: Paho mqttv3, HiveMQ (v5), raw bytes for what
 * clients hide (the DUP flag and packet id on the wire).
 */
@ExtendWith(LeakDetectorExtension.class)
class PersistentSessionTest {

    record Received(String topic, String payload, int qos) {}

    @TempDir
    Path dir;

    private StoredGateway gw;
    private final List<MqttClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnect(1000);
                }
                c.close(true);
            } catch (MqttException ignored) {
                // already gone (the server restarted under it)
            }
        }
        if (gw != null) {
            gw.close();
        }
    }

    private MqttClient paho(String id, boolean cleanSession, BlockingQueue<Received> inbox, IMqttToken[] connected)
            throws MqttException {
        MqttClient c = new MqttClient(gw.uri(), id, new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                if (inbox != null) {
                    inbox.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos()));
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(cleanSession);
        o.setAutomaticReconnect(false);
        IMqttToken t = c.connectWithResult(o);
        if (connected != null) {
            connected[0] = t;
        }
        clients.add(c);
        return c;
    }

    private void publish(String topic, String payload, int qos) throws MqttException {
        MqttClient p = paho("pub-" + System.nanoTime(), true, null, null);
        p.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false); // QoS 1/2: returns once acknowledged
        p.disconnect(1000);
    }

    @Test
    void subscriptionsAndQueuedPublicationsOfA311SessionSurviveARestart() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        MqttClient device = paho("device-1", false, null, null);
        device.subscribe("plant/+/temp", 1);
        device.disconnect(1000);
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gw.server.offlineSessions() == 1);

        publish("plant/p1/temp", "one", 1);
        publish("plant/p2/temp", "two", 2);
        publish("plant/p3/temp", "zero", 0); // QoS 0 is not queued for an absent client
        publish("plant/p4/temp", "three", 1);
        gw.restart();
        assertThat(gw.gw.server.offlineSessions()).isEqualTo(1);

        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        IMqttToken[] connected = new IMqttToken[1];
        paho("device-1", false, inbox, connected);
        assertThat(connected[0].getSessionPresent()).isTrue();
        assertThat(take(inbox, 3)).containsExactly(new Received("plant/p1/temp", "one", 1),
                new Received("plant/p2/temp", "two", 1), new Received("plant/p4/temp", "three", 1));

        publish("plant/p5/temp", "live", 1); // the restored subscription also takes live publications
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("plant/p5/temp", "live", 1));
        assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aCleanSessionConnectDiscardsTheStoredSession() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        MqttClient device = paho("device-2", false, null, null);
        device.subscribe("alerts/#", 1);
        device.disconnect(1000);
        publish("alerts/fire", "queued", 1);
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        IMqttToken[] connected = new IMqttToken[1];
        MqttClient clean = paho("device-2", true, inbox, connected);
        assertThat(connected[0].getSessionPresent()).isFalse();
        assertThat(inbox.poll(500, TimeUnit.MILLISECONDS)).isNull();
        clean.disconnect(1000);
        gw.restart();
        assertThat(gw.gw.server.offlineSessions()).isZero();
        paho("device-2", false, inbox, connected);
        assertThat(connected[0].getSessionPresent()).isFalse();
        assertThat(inbox.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anUnacknowledgedPublicationIsResentWithDupAndItsPacketIdAfterReconnectAndRestart() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        int packetId;
        try (RawClient raw = new RawClient(gw.port())) {
            raw.send(RawClient.connect("raw-1", 4, 60, false));
            assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            raw.send(RawClient.subscribe("cmd/raw-1", 1));
            assertThat(raw.read(5)).containsExactly(0x90, 0x03, 0x00, 0x01, 0x01);
            publish("cmd/raw-1", "reboot", 1);
            byte[] first = raw.read(2 + 2 + 9 + 2 + 6);
            assertThat(first[0] & 0xFF).isEqualTo(0x32); // PUBLISH, QoS 1, no DUP
            packetId = ((first[13] & 0xFF) << 8) | (first[14] & 0xFF);
            // no PUBACK: the connection drops with the publication in flight
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gw.server.offlineSessions() == 1);
        gw.restart();
        try (RawClient raw = new RawClient(gw.port())) {
            raw.send(RawClient.connect("raw-1", 4, 60, false));
            assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x01, 0x00); // session present
            byte[] again = raw.read(2 + 2 + 9 + 2 + 6);
            assertThat(again[0] & 0xFF).isEqualTo(0x3A); // PUBLISH, DUP, QoS 1
            assertThat(((again[13] & 0xFF) << 8) | (again[14] & 0xFF)).isEqualTo(packetId);
            assertThat(new String(again, 15, 6, StandardCharsets.UTF_8)).isEqualTo("reboot");
            raw.send(new byte[] {0x40, 0x02, (byte) (packetId >> 8), (byte) packetId}); // PUBACK
        }
        // Acknowledged: a third connection gets nothing more.
        try (RawClient raw = new RawClient(gw.port())) {
            raw.send(RawClient.connect("raw-1", 4, 60, false));
            assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x01, 0x00);
            raw.send(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ: the answer comes after any redelivery
            assertThat(raw.read(2)).containsExactly(0xD0, 0x00);
        }
    }

    @ParameterizedTest
    @EnumSource(MqttConfig.QueueOverflow.class)
    void theOfflineQueueIsBoundedAndCountsWhatItDrops(MqttConfig.QueueOverflow overflow) throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder().maxQueued(2).queueOverflow(overflow));
        MqttClient device = paho("device-3", false, null, null);
        device.subscribe("meter/#", 1);
        device.disconnect(1000);
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gw.server.offlineSessions() == 1);
        for (int i = 1; i <= 5; i++) {
            publish("meter/" + i, "r" + i, 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gw.metrics.droppedCount("offline_queue_full") == 3);
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        paho("device-3", false, inbox, null);
        List<String> got = take(inbox, 2).stream().map(Received::payload).toList();
        assertThat(got).containsExactlyElementsOf(overflow == MqttConfig.QueueOverflow.REFUSE_NEWEST
                ? List.of("r1", "r2") : List.of("r4", "r5"));
        assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    private Mqtt5BlockingClient hive(String id) {
        return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.port()).buildBlocking();
    }

    @Test
    void aV5SessionIsKeptForItsExpiryIntervalAndEndsAfterIt() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder().maxSessionExpiry(Duration.ofHours(1)));
        Mqtt5BlockingClient kept = hive("v5-kept");
        Mqtt5ConnAck ack = kept.connectWith().cleanStart(true).sessionExpiryInterval(0xFFFF_FFFFL).send();
        assertThat(ack.getSessionExpiryInterval()).hasValue(3600); // capped, and the client is told
        kept.subscribeWith().topicFilter("v5/kept").qos(MqttQos.EXACTLY_ONCE).send();
        kept.disconnect();

        Mqtt5BlockingClient brief = hive("v5-brief");
        brief.connectWith().cleanStart(true).sessionExpiryInterval(1).send();
        brief.subscribeWith().topicFilter("v5/brief").qos(MqttQos.AT_LEAST_ONCE).send();
        brief.disconnect();
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gw.server.offlineSessions() == 2);
        publish("v5/kept", "for-kept", 2);
        // one second after it left, the brief session ends (and its queue with it)
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gw.server.offlineSessions() == 1);
        gw.restart();

        Mqtt5BlockingClient again = hive("v5-kept");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = again.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck resumed = again.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            assertThat(resumed.isSessionPresent()).isTrue();
            Mqtt5Publish p = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("v5/kept");
            assertThat(p.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("for-kept");
        }
        again.disconnect();

        Mqtt5BlockingClient briefAgain = hive("v5-brief");
        assertThat(briefAgain.connectWith().cleanStart(false).send().isSessionPresent()).isFalse();
        briefAgain.disconnect();
    }

    @Test
    void retainedMessagesSurviveARestartAndAClearedOneStaysCleared() throws Exception {
        gw = new StoredGateway(dir, MqttConfig.builder());
        MqttClient p = paho("retainer", true, null, null);
        p.publish("status/gate", "open".getBytes(StandardCharsets.UTF_8), 1, true);
        p.publish("status/door", "shut".getBytes(StandardCharsets.UTF_8), 1, true);
        p.publish("status/door", new byte[0], 1, true); // clears
        p.disconnect(1000);
        gw.restart();
        assertThat(gw.gw.server.retainedCount()).isEqualTo(1);
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        MqttClient s = paho("reader", true, inbox, null);
        s.subscribe("status/#", 1);
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received("status/gate", "open", 1));
        assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    private static List<Received> take(BlockingQueue<Received> inbox, int n) throws InterruptedException {
        List<Received> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Received r = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("message %d of %d (got %s)", i + 1, n, out).isNotNull();
            out.add(r);
        }
        return out;
    }
}
