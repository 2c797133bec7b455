package dev.switchboard.spring;

import dev.switchboard.socketio.DisconnectReason;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.SocketIoMetrics;
import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded server's meters on the application's {@link MeterRegistry}, named as the standalone
 * server names them (so its Grafana dashboard applies): {@code switchboard.socketio.handshakes}
 * (namespace, outcome), {@code .handshake.failures} (reason), {@code .disconnects} (namespace, reason),
 * {@code .packets} (namespace, direction), gauges {@code switchboard.socketio.connections} (namespace)
 * and {@code switchboard.engineio.sessions}. Namespace tags are capped at {@link #MAX_NAMESPACE_TAGS}
 * (dynamic namespaces could otherwise grow the registry without end); beyond, they count as "other".
 */
final class MicrometerSocketIoMetrics implements SocketIoMetrics {

    static final int MAX_NAMESPACE_TAGS = 100;

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private volatile SocketIoServer io;

    MicrometerSocketIoMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void bind(SocketIoServer server) {
        this.io = server;
        Gauge.builder("switchboard.engineio.sessions", server, s -> s.engine().sessionCount())
                .description("open Engine.IO sessions (connections)").register(registry);
        tag("/");
    }

    private String tag(String namespace) {
        if (namespaces.contains(namespace)) {
            return namespace;
        }
        if (namespaces.size() < MAX_NAMESPACE_TAGS && namespaces.add(namespace)) {
            Gauge.builder("switchboard.socketio.connections", this, m -> m.count(namespace))
                    .description("connected sockets by namespace").tag("namespace", namespace).register(registry);
            return namespace;
        }
        return "other";
    }

    private double count(String namespace) {
        SocketIoServer server = io;
        Namespace ns = server == null ? null : server.namespace(namespace);
        return ns == null ? 0 : ns.sockets().size();
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(name + String.join("|", tags),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
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
        counter("switchboard.socketio.handshake.failures", "refused namespace handshakes by reason",
                "reason", reason).increment();
    }
}
