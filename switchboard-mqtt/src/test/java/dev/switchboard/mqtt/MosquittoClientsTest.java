package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.testkit.LeakDetectorExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mosquitto's own command-line clients ({@code mosquitto-clients}), both protocol versions. */
@ExtendWith(LeakDetectorExtension.class)
class MosquittoClientsTest {

    private final GatewayFixture gw = new GatewayFixture();

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void mosquittoPubReachesMosquittoSubThroughAWildcardAtEachQos(String version) throws Exception {
        String port = Integer.toString(gw.port);
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", version,
                "-t", "plant/+/temp", "-q", "2", "-C", "3", "-W", "30", "-v")
                .redirectErrorStream(true).start();
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> gw.metrics.subscriptions.get() == 1);
            for (int q = 0; q < 3; q++) {
                Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", version,
                        "-t", "plant/p" + q + "/temp", "-q", Integer.toString(q), "-m", "{\"c\":" + q + "}")
                        .redirectErrorStream(true).start();
                assertThat(pub.waitFor(15, TimeUnit.SECONDS)).isTrue();
                assertThat(pub.exitValue()).as(new String(pub.getInputStream().readAllBytes())).isZero();
            }
            assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> lines = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).containsExactly("plant/p0/temp {\"c\":0}", "plant/p1/temp {\"c\":1}",
                    "plant/p2/temp {\"c\":2}");
            assertThat(sub.exitValue()).isZero();
        } finally {
            sub.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void aRetainedMessageFromMosquittoPubIsSentToALaterMosquittoSub(String version) throws Exception {
        String port = Integer.toString(gw.port);
        Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", version,
                "-t", "status/gate", "-q", "1", "-r", "-m", "closed").redirectErrorStream(true).start();
        assertThat(pub.waitFor(15, TimeUnit.SECONDS)).isTrue();
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", version,
                "-t", "status/#", "-C", "1", "-W", "30", "-v", "-F", "%t %p %r")
                .redirectErrorStream(true).start();
        try {
            assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo("status/gate closed 1");
        } finally {
            sub.destroyForcibly();
        }
    }
}
