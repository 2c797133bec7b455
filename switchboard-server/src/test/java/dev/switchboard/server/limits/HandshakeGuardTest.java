package dev.switchboard.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.engineio.Handshake;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeGuardTest {

    private static Handshake from(String ip, String origin) {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        if (origin != null) {
            h.set("origin", origin);
        }
        return new Handshake(h, Map.of(), new InetSocketAddress(ip, 40000), false, System.currentTimeMillis(), "/socket.io/");
    }

    @Test
    void handshakesPerAddressPerSecondAreBounded() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HandshakeGuard guard = new HandshakeGuard(List.of(), 3, registry);
        int refused = 0;
        // 10 within (almost surely) one window: at most 3 per window pass, so at least 4 of 10 are refused
        // even if a window boundary falls in between.
        for (int i = 0; i < 10; i++) {
            if (guard.check(from("10.0.0.1", null)) != null) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(4);
        assertThat(guard.check(from("10.0.0.2", null))).as("another address has its own count").isNull();
        // Loopback (a local reverse proxy) is exempt.
        for (int i = 0; i < 10; i++) {
            assertThat(guard.check(from("127.0.0.1", null))).isNull();
        }
        assertThat(registry.get("switchboard.limits.refused").tag("limit", "handshake_rate").counter().count())
                .isEqualTo(refused);
    }

    @Test
    void originsAreCheckedOnlyWhenListed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HandshakeGuard listed = new HandshakeGuard(List.of("https://app.example.com"), 0, registry);
        assertThat(listed.check(from("10.0.0.1", "https://APP.example.com"))).isNull();
        assertThat(listed.check(from("10.0.0.1", "https://evil.example"))).isEqualTo("Origin not allowed");
        assertThat(listed.check(from("10.0.0.1", null))).isNull();
        HandshakeGuard any = new HandshakeGuard(List.of("*"), 0, registry);
        assertThat(any.check(from("10.0.0.1", "https://evil.example"))).isNull();
    }
}
