package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.testkit.LeakDetectorExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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

/** MQTT 3.1.1 with Eclipse Paho's mqttv3 client. */
@ExtendWith(LeakDetectorExtension.class)
class PahoV3Test {

    record Received(String topic, String payload, int qos, boolean retained) {}

    private final GatewayFixture gw = new GatewayFixture();
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
                // already gone (taken over, disconnected by the server)
            }
        }
        gw.close();
    }

    private MqttClient client(String id, BlockingQueue<Received> inbox, AtomicReference<Throwable> lost,
            MqttConnectOptions options) throws MqttException {
        MqttClient c = new MqttClient(gw.uri(), id, new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                if (lost != null) {
                    lost.set(cause == null ? new IllegalStateException("lost") : cause);
                }
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                if (inbox != null) {
                    inbox.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                            m.isRetained()));
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        c.connect(options);
        clients.add(c);
        return c;
    }

    private MqttClient client(String id, BlockingQueue<Received> inbox) throws MqttException {
        return client(id, inbox, null, new MqttConnectOptions());
    }

    private static Received next(BlockingQueue<Received> q) throws InterruptedException {
        Received r = q.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a message within 10 s").isNotNull();
        return r;
    }

    @Test
    void wildcardSubscriberReceivesEachQosAtTheMinimumOfPublicationAndSubscription() throws Exception {
        var inbox = new LinkedBlockingQueue<Received>();
        MqttClient sub = client("sub", inbox);
        IMqttToken t = sub.subscribeWithResponse(new String[] {"sensors/+/temp"}, new int[] {1});
        assertThat(t.getGrantedQos()).containsExactly(1);
        MqttClient pub = client("pub", null);
        pub.publish("sensors/k1/temp", "q0".getBytes(), 0, false);
        pub.publish("sensors/k1/temp", "q1".getBytes(), 1, false);
        pub.publish("sensors/k2/temp", "q2".getBytes(), 2, false);
        pub.publish("sensors/k1/humidity", "no".getBytes(), 2, false);
        assertThat(next(inbox)).isEqualTo(new Received("sensors/k1/temp", "q0", 0, false));
        assertThat(next(inbox)).isEqualTo(new Received("sensors/k1/temp", "q1", 1, false));
        assertThat(next(inbox)).isEqualTo(new Received("sensors/k2/temp", "q2", 1, false));
        pub.publish("sensors/end/temp", "end".getBytes(), 1, false);
        assertThat(next(inbox).payload()).as("humidity matched no filter").isEqualTo("end");
    }

    @Test
    void qos2BothWaysDeliversExactlyOnce() throws Exception {
        var inbox = new LinkedBlockingQueue<Received>();
        MqttClient sub = client("sub2", inbox);
        sub.subscribe("q/2", 2);
        MqttClient pub = client("pub2", null);
        for (int i = 0; i < 20; i++) {
            pub.publish("q/2", ("m" + i).getBytes(), 2, false);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(next(inbox)).isEqualTo(new Received("q/2", "m" + i, 2, false));
        }
    }

    @Test
    void overlappingSubscriptionsDeliverOnceAtTheHighestQos() throws Exception {
        var inbox = new LinkedBlockingQueue<Received>();
        MqttClient sub = client("overlap", inbox);
        sub.subscribe(new String[] {"home/#", "home/+/light", "home/kitchen/light"}, new int[] {0, 1, 2});
        MqttClient pub = client("pub3", null);
        pub.publish("home/kitchen/light", "on".getBytes(), 2, false);
        // The marker takes the same path (topic and QoS): Paho hands QoS 2 over only at PUBREL, so a marker
        // at another QoS could overtake it.
        pub.publish("home/kitchen/light", "end".getBytes(), 2, false);
        assertThat(next(inbox)).isEqualTo(new Received("home/kitchen/light", "on", 2, false));
        assertThat(next(inbox)).as("no second copy before the marker")
                .isEqualTo(new Received("home/kitchen/light", "end", 2, false));
    }

    @Test
    void unsubscribeStopsDeliveryOfThatFilterOnly() throws Exception {
        var inbox = new LinkedBlockingQueue<Received>();
        MqttClient sub = client("unsub", inbox);
        sub.subscribe(new String[] {"a/+", "b/#"}, new int[] {1, 1});
        sub.unsubscribe("a/+");
        MqttClient pub = client("pub4", null);
        pub.publish("a/x", "gone".getBytes(), 1, false);
        pub.publish("b/x", "kept".getBytes(), 1, false);
        assertThat(next(inbox).payload()).isEqualTo("kept");
    }

    @Test
    void retainedMessageReachesLaterSubscribersUntilAnEmptyPayloadClearsIt() throws Exception {
        MqttClient pub = client("pub5", null);
        pub.publish("state/door", "open".getBytes(), 1, true);
        pub.publish("state/window", "shut".getBytes(), 0, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.server.retainedCount() == 2);

        var inbox = new LinkedBlockingQueue<Received>();
        MqttClient sub = client("late", inbox);
        sub.subscribe("state/door", 2);
        assertThat(next(inbox)).isEqualTo(new Received("state/door", "open", 1, true));
        pub.publish("state/door", "closed".getBytes(), 1, true);
        assertThat(next(inbox)).as("live publications carry retain 0")
                .isEqualTo(new Received("state/door", "closed", 1, false));

        pub.publish("state/door", new byte[0], 1, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.server.retainedCount() == 1);
        inbox.clear();
        var inbox2 = new LinkedBlockingQueue<Received>();
        MqttClient later = client("later", inbox2);
        later.subscribe(new String[] {"state/#"}, new int[] {1});
        assertThat(next(inbox2)).isEqualTo(new Received("state/window", "shut", 0, true));
        pub.publish("state/end", "end".getBytes(), 1, false);
        assertThat(next(inbox2).payload()).as("the cleared door was not sent").isEqualTo("end");
    }

    @Test
    void willIsPublishedWhenTheConnectionEndsWithoutDisconnectButNotAfterDisconnect() throws Exception {
        var inbox = new LinkedBlockingQueue<Received>();
        MqttClient watcher = client("watcher", inbox);
        watcher.subscribe("wills/#", 1);

        MqttConnectOptions o = new MqttConnectOptions();
        o.setWill("wills/polite", "bye".getBytes(), 1, false);
        MqttClient polite = client("polite", null, null, o);
        polite.disconnect();

        MqttConnectOptions o2 = new MqttConnectOptions();
        o2.setWill("wills/crashed", "gone".getBytes(), 1, false);
        MqttClient crashing = client("crashing", null, null, o2);
        crashing.disconnectForcibly(0, 1000, false); // closes the socket without DISCONNECT

        assertThat(next(inbox)).isEqualTo(new Received("wills/crashed", "gone", 1, false));
        watcher.publish("wills/end", "end".getBytes(), 1, false);
        assertThat(next(inbox).payload()).isEqualTo("end");
    }

    @Test
    void aSecondConnectionWithTheSameClientIdTakesOver() throws Exception {
        var lost = new AtomicReference<Throwable>();
        var inbox1 = new LinkedBlockingQueue<Received>();
        MqttClient first = client("same-id", inbox1, lost, new MqttConnectOptions());
        first.subscribe("t/x", 1);
        var inbox2 = new LinkedBlockingQueue<Received>();
        MqttClient second = client("same-id", inbox2);
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.get() != null);
        second.subscribe("t/x", 1);
        second.publish("t/x", "to-second".getBytes(), 1, false);
        assertThat(next(inbox2).payload()).isEqualTo("to-second");
        assertThat(inbox1).isEmpty();
        assertThat(gw.server.connectedClients()).isEqualTo(1);
    }

    @Test
    void sessionsAreNotKeptSoSessionPresentIsAlwaysFalse() throws Exception {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        MqttClient c = new MqttClient(gw.uri(), "durable-client", new MemoryPersistence());
        clients.add(c);
        IMqttToken t = c.connectWithResult(o);
        assertThat(t.getSessionPresent()).isFalse();
    }
}
