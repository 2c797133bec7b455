package dev.switchboard.server.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.durable.DurableClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One fabric, in-process: the server with its MQTT listener on; an Eclipse Paho client and the official
 * socket.io-client (Node) in the same room; publications from MQTT, from the HTTP API.
 */
class MqttFabricTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private SwitchboardServer server;
    private DurableClient browser;
    private MqttClient device;

    @AfterEach
    void tearDown() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (device != null) {
            if (device.isConnected()) {
                device.disconnect(1000);
            }
            device.close(true);
        }
        if (server != null) {
            server.stop();
        }
    }

    private String start() throws Exception {
        return start("/", false);
    }

    private String start(String namespace, boolean demo) throws Exception {
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = 0 }
                  mqtt { host = "127.0.0.1", port = 0, namespace = "%s" }
                  demo.enabled = %s
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), namespace, demo));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        return "http://127.0.0.1:" + server.address().getPort();
    }

    private static HttpResponse<String> post(String base, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private MqttClient device(BlockingQueue<String[]> inbox) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttAddress().getPort(), "device-1",
                new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                inbox.add(new String[] {topic, new String(m.getPayload(), StandardCharsets.UTF_8), "" + m.getQos()});
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        c.connect();
        return c;
    }

    @Test
    void anMqttPublishReachesSocketIoClientsInTheRoomAndAnHttpPublishReachesAWildcardMqttSubscriber()
            throws Exception {
        String base = start();
        BlockingQueue<String[]> inbox = new LinkedBlockingQueue<>();
        device = device(inbox);
        device.subscribe("sensors/+/temp", 1);

        // HTTP API -> MQTT subscriber with a wildcard filter; one argument: its JSON is the payload.
        HttpResponse<String> r = post(base, "/api/publish",
                "{\"rooms\":[\"sensors/k1/temp\"],\"event\":\"reading\",\"data\":{\"c\":21.5}}");
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        String[] got = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(got).containsExactly("sensors/k1/temp", "{\"c\":21.5}", "1");

        // MQTT -> a Socket.IO client in the room, as event "mqtt" with [payload, {topic, qos, retain}].
        browser = new DurableClient(base, "{}", false);
        String sid = browser.awaitConnect(0).path("id").asText();
        r = post(base, "/api/join", "{\"sockets\":[\"" + sid + "\"],\"rooms\":[\"sensors/k2/temp\"]}");
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        device.publish("sensors/k2/temp", "{\"c\":19}".getBytes(StandardCharsets.UTF_8), 1, false);
        device.publish("sensors/k2/temp", "not json".getBytes(StandardCharsets.UTF_8), 0, false);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> browser.events(0, "mqtt").size() == 2);
        JsonNode first = browser.events(0, "mqtt").get(0).path("args");
        assertThat(first).isEqualTo(JSON.readTree(
                "[{\"c\":19},{\"topic\":\"sensors/k2/temp\",\"qos\":1,\"retain\":false}]"));
        JsonNode second = browser.events(0, "mqtt").get(1).path("args");
        assertThat(second.get(1)).isEqualTo(JSON.readTree("{\"topic\":\"sensors/k2/temp\",\"qos\":0,\"retain\":false}"));
        // A non-JSON payload arrives as a binary attachment: a Buffer in Node (JSON.stringify shows its bytes).
        assertThat(second.get(0).path("type").asText()).as(second.get(0).toString()).isEqualTo("Buffer");
        byte[] bytes = new byte[second.get(0).path("data").size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) second.get(0).path("data").get(i).asInt();
        }
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("not json");

        // The device's own publications also reached it through its wildcard.
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).containsExactly("sensors/k2/temp", "{\"c\":19}", "1");

        assertThat(get(base, "/health/ready").body()).contains("mqtt");
        assertThat(get(base, "/metrics").body())
                .contains("switchboard_mqtt_connections{application=\"switchboard\"} 1.0")
                .contains("switchboard_mqtt_subscriptions{application=\"switchboard\"} 1.0")
                .contains("switchboard_mqtt_messages_total{application=\"switchboard\",direction=\"in\",qos=\"1\"} 1.0")
                .contains("switchboard_mqtt_retained{application=\"switchboard\"} 0.0");
    }

    @Test
    void aSocketIoEmitBroadcastToARoomReachesAWildcardMqttSubscriber() throws Exception {
        // The demo chat (namespace /demo) broadcasts a client's "message" to its room with io.to(room).emit.
        String base = start("/demo", true);
        BlockingQueue<String[]> inbox = new LinkedBlockingQueue<>();
        device = device(inbox);
        device.subscribe("chat/#", 1);
        browser = new DurableClient(base, "/demo", "{}", false);
        browser.awaitConnect(0);
        browser.command("{\"cmd\":\"emit\",\"event\":\"hello\",\"args\":[{\"name\":\"ada\"}]}");
        browser.command("{\"cmd\":\"emit\",\"event\":\"join\",\"args\":[{\"room\":\"chat/lobby\"}]}");
        browser.command("{\"cmd\":\"emit\",\"event\":\"message\",\"args\":[{\"room\":\"chat/lobby\",\"text\":\"hi devices\"}]}");
        // The join's "presence" broadcast to the room comes first: it reaches the device too.
        JsonNode payload = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (payload == null && System.nanoTime() < deadline) {
            String[] got = inbox.poll(1, TimeUnit.SECONDS);
            if (got != null) {
                assertThat(got[0]).isEqualTo("chat/lobby");
                JsonNode p = JSON.readTree(got[1]);
                payload = p.has("text") ? p : null;
            }
        }
        assertThat(payload).as("the chat message within 15 s").isNotNull();
        assertThat(payload.path("text").asText()).isEqualTo("hi devices");
        assertThat(payload.path("from").asText()).isEqualTo("ada");
        assertThat(payload.path("room").asText()).isEqualTo("chat/lobby");
    }
}
