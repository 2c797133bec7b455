package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official npm {@code engine.io-client} 6.6.8 against this server, through Node's test runner.
 * Each script prints its own assertions; the Java side then checks what the server saw.
 */
@ExtendWith(LeakDetectorExtension.class)
class OfficialClientTest {

    static final int MAX_PAYLOAD = 200_000;
    static EngineFixture fixture;

    /**
     * Heartbeat roomy enough for 200 KB messages under the paranoid leak detector (which records a
     * stack trace per buffer access and slows big frames down a lot); the tight heartbeat is tested
     * with raw clients in {@link RawProtocolTest}.
     */
    @BeforeAll
    static void start() {
        fixture = new EngineFixture(EngineIoConfig.builder()
                .pingInterval(Duration.ofMillis(1000))
                .pingTimeout(Duration.ofMillis(2000))
                .maxPayload(MAX_PAYLOAD)
                .allowRequest(h -> "1".equals(h.query().get("deny")) ? "Forbidden" : null)
                .build(), null, 2); // two loops: GET, POST and the upgrade's WebSocket land on different ones
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static Map<String, String> env(EngineFixture f) {
        EngineIoConfig c = f.engine.config();
        return Map.of(
                "EIO_URL", f.url(),
                "EIO_PATH", c.path(),
                "PING_INTERVAL", String.valueOf(c.pingInterval().toMillis()),
                "PING_TIMEOUT", String.valueOf(c.pingTimeout().toMillis()),
                "MAX_PAYLOAD", String.valueOf(c.maxPayload()));
    }

    static Path script(String name) {
        return Path.of("src/test/js", name);
    }

    @Test
    void officialClient() {
        // 6 tests per transport (polling, websocket), plus the upgrade and the refused handshake.
        NodePeers.test(script("official-client.test.cjs"), env(fixture), Duration.ofMinutes(2), NodePeers.Expected.passed(14))
                .assertSucceeded();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixture.engine.sessionCount() == 0);
        assertThat(fixture.closes.get("client-close-polling")).startsWith("transport close|");
        assertThat(fixture.closes.get("client-close-websocket")).startsWith("transport close|");
        assertThat(fixture.closes.get("server-close-polling")).startsWith("forced close|");
        assertThat(fixture.closes.get("server-close-websocket")).startsWith("forced close|");
        assertThat(fixture.closes.get("upgrade")).isNotNull();
        assertThat(fixture.upgrades.get("upgrade")).isEqualTo(TransportKind.WEBSOCKET);
        assertThat(fixture.closes.get("oversize-websocket")).startsWith("transport error|");
        assertThat(fixture.closes.get("oversize-polling")).startsWith("transport error|");
    }

}
