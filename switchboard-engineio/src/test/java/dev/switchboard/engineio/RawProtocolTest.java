package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hand-written Engine.IO exchanges over real HTTP and WebSocket (Node's fetch and the ws package):
 * the exact open packet, every error code, overlapping GETs, malformed bodies, peers that never pong,
 * a manual upgrade. The heartbeat (2 s interval, 1.5 s timeout) is short enough for the timeout cases
 * to end in seconds, and leaves a loaded machine seconds to answer each ping.
 */
@ExtendWith(LeakDetectorExtension.class)
class RawProtocolTest {

    static EngineFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new EngineFixture(EngineIoConfig.builder()
                .pingInterval(Duration.ofMillis(2000))
                .pingTimeout(Duration.ofMillis(1500))
                .maxPayload(200_000)
                .allowRequest(h -> "1".equals(h.query().get("deny")) ? "Forbidden" : null)
                .build());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void rawProtocol() {
        NodePeers.test(OfficialClientTest.script("raw-protocol.test.cjs"), OfficialClientTest.env(fixture), Duration.ofMinutes(2),
                NodePeers.Expected.passed(11)).assertSucceeded();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixture.engine.sessionCount() == 0);
        assertThat(fixture.closes.get("ping-timeout-ws")).startsWith("ping timeout|");
        assertThat(fixture.closes.get("ping-timeout-polling")).startsWith("ping timeout|");
        assertThat(fixture.closes.get("malformed")).startsWith("parse error|");
    }
}
