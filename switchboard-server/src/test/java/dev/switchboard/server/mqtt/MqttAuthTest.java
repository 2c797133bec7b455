package dev.switchboard.server.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.auth.Tokens;
import dev.switchboard.server.config.ConfigLoader;
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
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With JWT authentication on, MQTT clients (Eclipse Paho, 3.1.1 and 5) connect with the token as their
 * password; a missing, expired or forged one is refused with CONNACK "Bad user name or password" (3.1.1
 * return code 4; 5.0 reason code 0x86 with the reason as its Reason String) and counted.
 */
class MqttAuthTest {

    @TempDir
    Path dir;
    private SwitchboardServer server;
    private String mqttUri;

    @BeforeEach
    void start() throws Exception {
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = 0 }
                  mqtt { host = "127.0.0.1", port = 0 }
                  demo.enabled = false
                  api.token = "api-token-0123456789"
                  auth.jwt.hmac-secret = "%s"
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), Tokens.SECRET));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        mqttUri = "tcp://127.0.0.1:" + server.mqttAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private MqttClient v3(String clientId, String password) throws Exception {
        MqttClient c = new MqttClient(mqttUri, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(20);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // no retry as 3.1 after a refusal
        if (password != null) {
            o.setUserName("ignored");
            o.setPassword(password.toCharArray());
        }
        c.connect(o);
        return c;
    }

    @Test
    void aValidTokenConnectsAndTheDeviceWorks() throws Exception {
        MqttClient c = v3("dev-ok", Tokens.hs256("ann", Duration.ofMinutes(5)));
        try {
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            c.subscribe("ann/echo", 1, (topic, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            c.publish("ann/echo", "{\"n\":1}".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("{\"n\":1}");
        } finally {
            c.disconnect(2000);
            c.close(true);
        }
    }

    @Test
    void v311ClientsWithoutAValidTokenGetReturnCode4() throws Exception {
        for (String password : new String[] {null, "not-a-jwt", Tokens.hs256("ann", Duration.ofMinutes(-5)),
                Tokens.hs256("forged-secret-of-at-least-32-bytes-000000", "ann", Duration.ofMinutes(5), Map.of())}) {
            MqttException refused = catchThrowableOfType(() -> v3("dev-bad", password), MqttException.class);
            assertThat(refused).as("refused: " + password).isNotNull();
            assertThat(refused.getReasonCode()).as("Bad user name or password").isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.address().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("protocol=\"mqtt\",reason=\"token expired\"} 1.0")
                .contains("protocol=\"mqtt\",reason=\"token missing\"} 1.0")
                .contains("protocol=\"mqtt\",reason=\"malformed token\"} 1.0")
                .contains("protocol=\"mqtt\",reason=\"bad signature\"} 1.0");
    }

    @Test
    void v5ClientsGetReasonCode0x86WithTheReason() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(mqttUri, "dev-v5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        try {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName("ignored");
            o.setPassword(Tokens.hs256("ann", Duration.ofMinutes(-5)).getBytes(StandardCharsets.UTF_8));
            IMqttToken token = c.connect(o);
            org.eclipse.paho.mqttv5.common.MqttException refused = catchThrowableOfType(
                    () -> token.waitForCompletion(20_000), org.eclipse.paho.mqttv5.common.MqttException.class);
            assertThat(refused).isNotNull();
            assertThat(refused.getReasonCode()).isEqualTo(0x86);

            MqttConnectionOptions good = new MqttConnectionOptions();
            good.setPassword(Tokens.hs256("ann", Duration.ofMinutes(5)).getBytes(StandardCharsets.UTF_8));
            c.connect(good).waitForCompletion(20_000);
            assertThat(c.isConnected()).isTrue();
            c.disconnect().waitForCompletion(5_000);
        } finally {
            c.close(true);
        }
    }
}
