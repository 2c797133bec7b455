package dev.switchboard.server.limits;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.engineio.Handshake;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Engine.IO's {@code allowRequest} for the server: refuses a handshake (HTTP 403, Engine.IO error code 4
 * with the reason as message) whose {@code Origin} is not in the allowed list (when one is configured:
 * {@code switchboard.http.cors-origins} other than {@code *}), or that comes from an address that already
 * opened {@code handshakes-per-ip-per-second} sessions in the current second (loopback addresses, a
 * reverse proxy on the same machine, are exempt). A request without an
 * {@code Origin} header (not a browser) passes the origin check. Refusals are counted in
 * {@code switchboard_limits_refused_total{limit}}.
 *
 * <p>Thread-safe; runs on event loops. Counts are kept per address for the current one-second window
 * only: the map is cleared at each new window, so it holds at most the addresses of one second.
 */
public final class HandshakeGuard implements EngineIoConfig.AllowRequest {

    private final Set<String> origins;
    private final int perSecond;
    private final Counter refusedOrigin;
    private final Counter refusedRate;
    private final ConcurrentHashMap<InetAddress, int[]> counts = new ConcurrentHashMap<>();
    private volatile long window;

    /**
     * @param origins   allowed origins ({@code https://app.example.com}); empty or containing {@code *}: any
     * @param perSecond handshakes per client address per second; 0: no limit
     */
    public HandshakeGuard(List<String> origins, int perSecond, MeterRegistry registry) {
        this.origins = origins.contains("*") ? Set.of()
                : origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.perSecond = perSecond;
        this.refusedOrigin = refused(registry, "origin");
        this.refusedRate = refused(registry, "handshake_rate");
    }

    static Counter refused(MeterRegistry registry, String limit) {
        return Counter.builder("switchboard.limits.refused")
                .description("Connections, handshakes and events refused by an abuse limit, by limit")
                .tag("limit", limit)
                .register(registry);
    }

    @Override
    public String check(Handshake handshake) {
        if (!origins.isEmpty()) {
            String origin = handshake.headers().get("origin");
            if (origin != null && !origins.contains(origin.toLowerCase(Locale.ROOT))) {
                refusedOrigin.increment();
                return "Origin not allowed";
            }
        }
        if (perSecond > 0) {
            InetAddress address = address(handshake.remoteAddress());
            if (address != null && !address.isLoopbackAddress()) {
                long second = System.nanoTime() / 1_000_000_000L;
                if (second != window) {
                    window = second;
                    counts.clear();
                }
                int[] n = counts.computeIfAbsent(address, a -> new int[1]);
                int seen;
                synchronized (n) {
                    seen = ++n[0];
                }
                if (seen > perSecond) {
                    refusedRate.increment();
                    return "Too many handshakes from this address; retry in a second";
                }
            }
        }
        return null;
    }

    private static InetAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress() : null;
    }
}
