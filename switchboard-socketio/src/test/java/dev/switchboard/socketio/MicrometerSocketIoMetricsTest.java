package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MicrometerSocketIoMetricsTest {

    @Test
    void namespaceTagsAreBoundedSoClientChosenNamesCannotGrowTheRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerSocketIoMetrics meters = new MicrometerSocketIoMetrics(registry);
        for (int i = 0; i < 3 * MicrometerSocketIoMetrics.MAX_NAMESPACE_TAGS; i++) {
            meters.connected("/dyn-" + i);
            meters.packetIn("/dyn-" + i);
            meters.disconnected("/dyn-" + i, DisconnectReason.TRANSPORT_CLOSE);
        }
        Set<String> tags = registry.getMeters().stream().map(Meter::getId)
                .map(id -> id.getTag("namespace")).filter(t -> t != null).collect(Collectors.toSet());
        assertThat(tags).hasSize(MicrometerSocketIoMetrics.MAX_NAMESPACE_TAGS + 1).contains("other", "/dyn-0");
        assertThat(registry.get("switchboard.socketio.handshakes").tag("namespace", "other").counter().count())
                .isEqualTo(2.0 * MicrometerSocketIoMetrics.MAX_NAMESPACE_TAGS);
        assertThat(registry.get("switchboard.socketio.disconnects").tag("namespace", "/dyn-1")
                .tag("reason", "transport close").counter().count()).isEqualTo(1.0);
    }

    @Test
    void handshakeFailuresAreCountedByReason() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerSocketIoMetrics meters = new MicrometerSocketIoMetrics(registry);
        meters.handshakeFailed("invalid namespace");
        meters.handshakeFailed("invalid namespace");
        meters.handshakeFailed("connect timeout");
        assertThat(registry.get("switchboard.socketio.handshake.failures").tag("reason", "invalid namespace")
                .counter().count()).isEqualTo(2.0);
        assertThat(registry.get("switchboard.socketio.handshake.failures").tag("reason", "connect timeout")
                .counter().count()).isEqualTo(1.0);
    }
}
