package dev.switchboard.spring;

import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.SocketIoServer;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Actuator health contributor {@code switchboard}: UP while the Socket.IO listener is running (with the
 * listening port, Engine.IO sessions and sockets per namespace as details), OUT_OF_SERVICE before start
 * and once stopping.
 */
final class SwitchboardHealthIndicator extends AbstractHealthIndicator {

    private final SocketIoServer io;
    private final SwitchboardLifecycle lifecycle;

    SwitchboardHealthIndicator(SocketIoServer io, SwitchboardLifecycle lifecycle) {
        super("Switchboard health check failed");
        this.io = io;
        this.lifecycle = lifecycle;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!lifecycle.isRunning() || lifecycle.address() == null) {
            builder.outOfService();
            return;
        }
        Map<String, Integer> sockets = new TreeMap<>();
        for (Namespace ns : io.namespaces()) {
            sockets.put(ns.name(), ns.sockets().size());
        }
        builder.up()
                .withDetail("port", lifecycle.address().getPort())
                .withDetail("sessions", io.engine().sessionCount())
                .withDetail("sockets", sockets);
    }
}
