package dev.switchboard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idle connections must survive the server's heartbeat: with a 300 ms ping interval and a 200 ms
 * ping timeout the Node server closes any client that does not answer {@code 2} with {@code 3}, so
 * staying connected for many intervals shows the generator answers every ping.
 */
@ExtendWith(LeakDetectorExtension.class)
class HeartbeatTest {

    @Test
    void answersEveryPingAndStaysConnected() throws Exception {
        try (NodeEchoServer server = NodeEchoServer.start("--ping-interval", "1000", "--ping-timeout", "1000");
             LoadGenerator gen = LoadGenerator.start(LoadConfig.newBuilder().port(server.port())
                     .maxDuration(Duration.ofSeconds(30)).build())) {
            SioClient client = gen.connect(null, null).get(10, TimeUnit.SECONDS);

            // five ping intervals: a missed pong would close the connection 1 s after that ping
            Awaitility.await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(client::isActive);

            assertThat(client.emitWithAck("[\"message-with-ack\",1]").get(5, TimeUnit.SECONDS)).isEqualTo("[1]");
        }
    }

    @Test
    void closesWhenTheDurationBoundPasses() throws Exception {
        try (NodeEchoServer server = NodeEchoServer.start();
             LoadGenerator gen = LoadGenerator.start(LoadConfig.newBuilder().port(server.port())
                     .maxDuration(Duration.ofSeconds(2)).build())) {
            SioClient client = gen.connect(null, null).get(10, TimeUnit.SECONDS);

            client.closeFuture().get(10, TimeUnit.SECONDS);

            assertThat(gen.expired()).isTrue();
            assertThat(gen.openConnections()).isZero();
        }
    }
}
