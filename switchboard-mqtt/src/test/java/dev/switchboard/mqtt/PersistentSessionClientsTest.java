package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Persistent sessions with Mosquitto's command-line clients and MQTT.js, on the embedded stores. */
@ExtendWith(LeakDetectorExtension.class)
class PersistentSessionClientsTest {

    @TempDir
    Path dir;

    private StoredGateway gw;

    @BeforeEach
    void start() {
        gw = new StoredGateway(dir, MqttConfig.builder());
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private Process run(String... args) throws Exception {
        return new ProcessBuilder(args).redirectErrorStream(true).start();
    }

    private String finish(Process p) throws Exception {
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void mosquittoSubWithoutCleanSessionGetsWhatWasPublishedWhileItWasAwayAcrossARestart(String version)
            throws Exception {
        String port = Integer.toString(gw.port());
        List<String> session = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", port, "-V", version, "-c",
                "-i", "ms-" + version, "-q", "1", "-t", "valve/+/state"));
        if (version.equals("mqttv5")) {
            session.addAll(List.of("-x", "600")); // v5: the session outlives the connection only with an expiry
        }
        List<String> subscribeOnly = new ArrayList<>(List.of("mosquitto_sub", "-E"));
        subscribeOnly.addAll(session);
        finish(run(subscribeOnly.toArray(String[]::new)));
        for (String state : List.of("open", "closed")) {
            finish(run("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", version, "-q", "1",
                    "-t", "valve/v7/state", "-m", state));
        }
        gw.restart();
        List<String> receive = new ArrayList<>(List.of("mosquitto_sub", "-C", "2", "-W", "20", "-v"));
        receive.addAll(session);
        assertThat(finish(run(receive.toArray(String[]::new))).lines().toList())
                .containsExactly("valve/v7/state open", "valve/v7/state closed");
    }

    @Test
    void mqttJsCleanFalseSessionsKeepSubscriptionsAndQueuedPublications() {
        NodePeers.test(Path.of("src/test/js/persistent-session.test.mjs"),
                Map.of("MQTT_URL", "mqtt://127.0.0.1:" + gw.port()), Duration.ofSeconds(60),
                NodePeers.Expected.passed(2)).assertSucceeded();
    }
}
