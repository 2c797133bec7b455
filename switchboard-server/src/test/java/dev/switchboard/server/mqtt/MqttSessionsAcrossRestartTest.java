package dev.switchboard.server.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server keeps MQTT sessions in its storage plane: a device's persistent session gets, after the server
 * restarted, what the HTTP API published to its topic while it was away (and {@code /api/mqtt/clients} shows it
 * waiting); a retained message survives too.
 */
class MqttSessionsAcrossRestartTest {

    @TempDir
    Path dir;

    private SwitchboardServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop();
        }
    }

    private String start() throws Exception {
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = 0 }
                  mqtt { host = "127.0.0.1", port = 0, websocket-path = "/mqtt" }
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        return "http://127.0.0.1:" + server.address().getPort();
    }

    private MqttClient device(BlockingQueue<String> inbox, IMqttToken[] connected) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttAddress().getPort(), "meter-9",
                new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                inbox.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8) + " " + m.getQos()
                        + (m.isRetained() ? " retained" : ""));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        connected[0] = c.connectWithResult(o);
        return c;
    }

    @Test
    void aPersistentSessionGetsWhatTheHttpApiPublishedWhileTheServerRestarted() throws Exception {
        String base = start();
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        IMqttToken[] connected = new IMqttToken[1];
        MqttClient d = device(inbox, connected);
        d.subscribe("meters/+/cmd", 1);
        d.publish("meters/9/state", "on".getBytes(StandardCharsets.UTF_8), 1, true);
        d.disconnect(1000);
        d.close();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/publish"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"rooms\":[\"meters/9/cmd\"],\"event\":\"cmd\",\"data\":\"reset\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        server.stop();

        String restarted = start();
        // /api/ shows the session waiting for its device, beside the Socket.IO sockets.
        HttpResponse<String> clients = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(restarted + "/api/mqtt/clients")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(clients.statusCode()).as(clients.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(clients.body()).get("clients");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("clientId").asText()).isEqualTo("meter-9");
        assertThat(list.get(0).get("connected").asBoolean()).isFalse();
        assertThat(list.get(0).get("subscriptions").asInt()).isEqualTo(1);
        assertThat(list.get(0).get("queued").asLong()).isEqualTo(1);
        MqttClient again = device(inbox, connected);
        assertThat(connected[0].getSessionPresent()).isTrue();
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("meters/9/cmd reset 1");
        again.subscribe("meters/9/state", 1);
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("meters/9/state on 1 retained");
        again.disconnect(1000);
        again.close();
    }

    @Test
    void websocketPathUpgradesWithTheMqttSubprotocolOnTheHttpPort() throws Exception {
        start();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
            java.util.List<String> headers = new java.util.ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(headers).contains("sec-websocket-protocol: mqtt");
        }
    }
}
