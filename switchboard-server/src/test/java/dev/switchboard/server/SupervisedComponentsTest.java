package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.mqtt.MqttServer;
import dev.switchboard.server.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every long-lived component of a server runs under the node's supervision and is named in
 * {@code /health/ready}: the store, the recovery sessions, each bridge and the MQTT listener. The MQTT
 * listener, once its socket is gone, is restarted by its supervisor and accepts a Paho client again.
 */
class SupervisedComponentsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private SwitchboardServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private JsonNode ready() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.address().getPort() + "/health/ready")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private boolean mqttAccepts() {
        try {
            MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttAddress().getPort(), "probe", new MemoryPersistence());
            c.connect();
            c.disconnect(1000);
            c.close(true);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void healthNamesEachSupervisedComponentAndALostMqttListenerIsRestarted() throws Exception {
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = 0 }
                  mqtt { host = "127.0.0.1", port = 0 }
                  demo.enabled = false
                  bridges = [ { name = "feed", type = "test-loopback" } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        assertThat(server.awaitReady(WAIT)).isTrue();

        JsonNode health = ready();
        assertThat(health.path("status").asText()).isEqualTo("UP");
        for (String name : List.of("store", "recovery-sessions", "bridge-feed", "mqtt", "http", "socketio")) {
            assertThat(health.path("components").path(name).path("status").asText()).as(name + " in " + health)
                    .isEqualTo("UP");
        }
        assertThat(mqttAccepts()).isTrue();

        // The listening socket goes away under the server: its supervisor notices and binds a new one.
        MqttServer lost = server.mqttListener().current();
        lost.shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> {
            MqttServer now = server.mqttListener().current();
            return now != null && now != lost && now.isRunning();
        });
        assertThat(mqttAccepts()).as("a client connects to the restarted listener").isTrue();
        await().atMost(WAIT).until(() -> ready().path("components").path("mqtt").path("status").asText().equals("UP"));
    }
}
