package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.testkit.LeakDetectorExtension;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Garbage, protocol violations and overload close only the offending connection, with MQTT's own answer
 * where it has one, while a well-behaved Paho client on the same gateway keeps working.
 */
@ExtendWith(LeakDetectorExtension.class)
class BadInputAndBoundsTest {

    private GatewayFixture gw;
    private MqttClient good;
    private final BlockingQueue<String> goodInbox = new ArrayBlockingQueue<>(1000);
    private final AtomicReference<Throwable> goodLost = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        gw = new GatewayFixture(MqttConfig.builder().maxPacketSize(1024).maxInflight(2).maxQueued(3));
        good = new MqttClient(gw.uri(), "good", new MemoryPersistence());
        good.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                goodLost.set(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                goodInbox.add(new String(message.getPayload()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        good.connect();
        good.subscribe("echo", 1);
    }

    @AfterEach
    void stop() throws Exception {
        if (good.isConnected()) {
            good.disconnect(1000);
        }
        good.close(true);
        gw.close();
    }

    /** The good client still round-trips a message through the gateway. */
    private void goodClientStillWorks(String marker) throws Exception {
        good.publish("echo", marker.getBytes(), 1, false);
        assertThat(goodInbox.poll(10, TimeUnit.SECONDS)).isEqualTo(marker);
        assertThat(goodLost.get()).isNull();
    }

    @Test
    void garbageBytesCloseThatConnectionOnly() throws Exception {
        try (RawClient raw = new RawClient(gw.port)) {
            raw.send(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
            assertThat(raw.awaitClose()).isTrue();
        }
        goodClientStillWorks("after-garbage");
    }

    @Test
    void anUnsupportedProtocolLevelIsRefusedWithReturnCode1() throws Exception {
        try (RawClient raw = new RawClient(gw.port)) {
            raw.send(RawClient.connect("bad-level", 9, 60));
            assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x00, 0x01);
            assertThat(raw.awaitClose()).isTrue();
        }
        goodClientStillWorks("after-level");
    }

    @Test
    void aMalformedPacketAfterConnectClosesTheConnection() throws Exception {
        try (RawClient raw = new RawClient(gw.port)) {
            raw.send(RawClient.connect("malformed", 4, 60));
            assertThat(raw.read(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            // SUBSCRIBE with fixed-header flags 0000 instead of 0010 (3.8.1-1).
            raw.send(new byte[] {(byte) 0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x00});
            assertThat(raw.awaitClose()).isTrue();
        }
        goodClientStillWorks("after-malformed");
    }

    @Test
    void aPacketOverTheMaximumSizeClosesTheConnection() throws Exception {
        try (RawClient raw = new RawClient(gw.port)) {
            raw.send(RawClient.connect("big", 4, 60));
            raw.read(4);
            byte[] body = new byte[2000];
            body[1] = 1;
            body[2] = 'x';
            raw.send(RawClient.packet(0x30, body));
            assertThat(raw.awaitClose()).isTrue();
        }
        goodClientStillWorks("after-big");
    }

    @Test
    void aPacketBeforeConnectClosesTheConnection() throws Exception {
        try (RawClient raw = new RawClient(gw.port)) {
            raw.send(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ
            assertThat(raw.awaitClose()).isTrue();
        }
        goodClientStillWorks("after-early-ping");
    }

    @Test
    void aClientSilentPastOneAndAHalfKeepAlivesIsClosed() throws Exception {
        try (RawClient raw = new RawClient(gw.port)) {
            raw.send(RawClient.connect("sleepy", 4, 1));
            raw.read(4);
            long start = System.nanoTime();
            assertThat(raw.awaitClose()).isTrue();
            // A lower bound only: a loaded machine can close late, never early.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
        }
        goodClientStillWorks("after-sleepy");
    }

    @Test
    void aSubscriberThatNeverAcknowledgesIsDisconnectedOnceItsQueueIsFull() throws Exception {
        try (RawClient raw = new RawClient(gw.port)) {
            raw.send(RawClient.connect("never-acks", 4, 60));
            raw.read(4);
            int before = gw.metrics.subscriptions.get();
            raw.send(RawClient.subscribe("flood/#", 1));
            raw.read(5); // SUBACK
            assertThat(gw.metrics.subscriptions.get()).isEqualTo(before + 1);
            // Window 2 + queue 3: the sixth QoS 1 publication finds no room.
            for (int i = 0; i < 6; i++) {
                good.publish("flood/x", ("f" + i).getBytes(), 1, false);
            }
            assertThat(raw.awaitClose()).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.metrics.droppedCount("slow_subscriber") == 1);
        goodClientStillWorks("after-flood");
    }
}
