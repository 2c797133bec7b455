package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.switchboard.testkit.LeakDetectorExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Shared subscriptions: HiveMQ (v5) and Paho (3.1.1) members of one group share the publications, each once. */
@ExtendWith(LeakDetectorExtension.class)
class SharedSubscriptionTest {

    private final GatewayFixture gw = new GatewayFixture();
    private final List<Mqtt5BlockingClient> hive = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Mqtt5BlockingClient c : hive) {
            c.disconnect();
        }
        gw.close();
    }

    @Test
    void eachPublicationGoesToExactlyOneMemberOfTheGroupAndEveryMemberGetsSome() throws Exception {
        Map<String, List<String>> byMember = new ConcurrentHashMap<>();
        for (int i = 0; i < 2; i++) {
            String id = "worker-" + i;
            Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.port)
                    .buildBlocking();
            c.connect();
            List<String> got = new CopyOnWriteArrayList<>();
            byMember.put(id, got);
            c.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                    (Mqtt5Publish p) -> got.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            c.subscribeWith().topicFilter("$share/workers/jobs/#").qos(MqttQos.AT_LEAST_ONCE).send();
            hive.add(c);
        }
        MqttClient v3 = new MqttClient(gw.uri(), "worker-v3", new MemoryPersistence());
        List<String> v3got = new CopyOnWriteArrayList<>();
        byMember.put("worker-v3", v3got);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        // A callback, not a per-subscription listener: Paho matches listeners against the filter, which a
        // publication's topic never equals for a shared subscription.
        v3.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                v3got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}
        });
        v3.connect(o);
        v3.subscribe("$share/workers/jobs/#", 1);

        MqttClient pub = new MqttClient(gw.uri(), "dispatcher", new MemoryPersistence());
        pub.connect(o);
        int n = 30;
        for (int i = 0; i < n; i++) {
            pub.publish("jobs/render/" + i, ("job-" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        pub.disconnect();
        pub.close();
        await("every job received by one member").atMost(Duration.ofSeconds(15))
                .until(() -> byMember.values().stream().mapToInt(List::size).sum() >= n);
        List<String> all = byMember.values().stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(n).doesNotHaveDuplicates();
        assertThat(byMember.values()).allSatisfy(got -> assertThat(got).isNotEmpty());
        v3.disconnect();
        v3.close();
    }
}
