package dev.switchboard.server.limits;

import dev.switchboard.transport.TransportStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The transport's limit counts as meters: {@code switchboard_limits_refused_total{limit}} and open connections. */
public final class LimitMeters {

    private LimitMeters() {}

    public static void bind(TransportStats stats, MeterRegistry registry) {
        String name = "switchboard.limits.refused";
        String description = "Connections, handshakes and events refused by an abuse limit, by limit";
        FunctionCounter.builder(name, stats, TransportStats::headTimeouts).description(description)
                .tag("limit", "request_head_timeout").register(registry);
        FunctionCounter.builder(name, stats, TransportStats::bodyTimeouts).description(description)
                .tag("limit", "request_body_timeout").register(registry);
        FunctionCounter.builder(name, stats, TransportStats::refusedNodeLimit).description(description)
                .tag("limit", "max_connections").register(registry);
        FunctionCounter.builder(name, stats, TransportStats::refusedAddressLimit).description(description)
                .tag("limit", "max_connections_per_ip").register(registry);
        Gauge.builder("switchboard.transport.connections", stats, TransportStats::openConnections)
                .description("Open HTTP/WebSocket connections of the listener").register(registry);
    }
}
