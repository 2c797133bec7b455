package dev.switchboard.socketio;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Socket.IO layer's counts as Micrometer meters ({@code switchboard_socketio_*} in Prometheus), one
 * implementation for the standalone server and the Spring starter (so one Grafana dashboard fits both):
 * {@code switchboard.socketio.handshakes} (namespace, outcome), {@code .handshake.failures} (reason),
 * {@code .disconnects} (namespace, reason), {@code .packets} (namespace, direction), gauges
 * {@code switchboard.socketio.connections} (namespace, transport) and {@code switchboard.engineio.sessions};
 * packets dropped by the per-socket rate limit count in {@code switchboard.limits.refused}.
 *
 * <p>Namespace names can come from clients (dynamic namespaces), so at most {@link #MAX_NAMESPACE_TAGS}
 * distinct names become tag values; later ones are counted under {@code namespace="other"} so that the
 * registry cannot grow without bound. Called on event loops: every hook is a map lookup and an increment.
 */
public final class MicrometerSocketIoMetrics implements SocketIoMetrics {

    static final int MAX_NAMESPACE_TAGS = 64;
    static final String[] TRANSPORTS = {"polling", "websocket"};

    private final MeterRegistry registry;
    private final Set<String> namespaceTags = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile SocketIoServer io;

    public MicrometerSocketIoMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges that read the live server: connections by namespace and transport, sessions. */
    public void bind(SocketIoServer server) {
        this.io = server;
        Gauge.builder("switchboard.engineio.sessions", server, s -> s.engine().sessionCount())
                .description("open Engine.IO sessions (connections)").register(registry);
        tag("/"); // registers the main namespace's gauges at once, so they read 0 before anyone connects
    }

    private void gauges(String namespace) {
        for (String transport : TRANSPORTS) {
            Gauge.builder("switchboard.socketio.connections", this, m -> m.count(namespace, transport))
                    .description("connected sockets by namespace and transport")
                    .tag("namespace", namespace)
                    .tag("transport", transport)
                    .register(registry);
        }
    }

    private double count(String namespace, String transport) {
        SocketIoServer server = io;
        Namespace ns = server == null ? null : server.namespace(namespace);
        if (ns == null) {
            return 0;
        }
        int n = 0;
        for (Socket s : ns.sockets().values()) {
            if (transport.equals(s.transport())) {
                n++;
            }
        }
        return n;
    }

    private String tag(String namespace) {
        if (namespaceTags.contains(namespace)) {
            return namespace;
        }
        if (namespaceTags.size() < MAX_NAMESPACE_TAGS && namespaceTags.add(namespace)) {
            gauges(namespace);
            return namespace;
        }
        return "other";
    }

    private Counter counter(String name, String description, String... tags) {
        String key = name + String.join("|", tags);
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    @Override
    public void connected(String namespace) {
        counter("switchboard.socketio.handshakes", "namespace handshakes by outcome",
                "namespace", tag(namespace), "outcome", "connected").increment();
    }

    @Override
    public void disconnected(String namespace, DisconnectReason reason) {
        counter("switchboard.socketio.disconnects", "sockets that left their namespace, by reason",
                "namespace", tag(namespace), "reason", reason.text()).increment();
    }

    @Override
    public void packetIn(String namespace) {
        counter("switchboard.socketio.packets", "Socket.IO packets by direction",
                "namespace", tag(namespace), "direction", "in").increment();
    }

    @Override
    public void packetOut(String namespace) {
        counter("switchboard.socketio.packets", "Socket.IO packets by direction",
                "namespace", tag(namespace), "direction", "out").increment();
    }

    @Override
    public void handshakeFailed(String reason) {
        counter("switchboard.socketio.handshake.failures", "failed connection or namespace handshakes, by reason",
                "reason", reason).increment();
    }

    @Override
    public void packetDropped(String reason) {
        counter("switchboard.limits.refused", "Connections, handshakes and events refused by an abuse limit, by limit",
                "limit", reason.equals("rate limit close") ? "packet_rate_close" : "packet_rate").increment();
    }
}
