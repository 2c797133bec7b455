package dev.switchboard.server.realtime;

import dev.switchboard.core.routing.Router;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.server.api.SocketAdmin;
import dev.switchboard.server.config.ServerConfig;
import dev.switchboard.server.managed.ManagedSettings;
import dev.switchboard.socketio.MicrometerSocketIoMetrics;
import dev.switchboard.socketio.RecoveryConfig;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.transport.HttpHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Socket.IO side of the server: the {@link SocketIoServer} configured from {@code switchboard.socketio},
 * its metrics, the demo chat's namespace, and the {@link SocketAdmin} the HTTP API uses.
 */
public final class Realtime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.switchboard.server");

    private final SocketIoServer io;
    private final SocketAdmin admin;
    private final Duration closeTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Realtime(SocketIoServer io, MeterRegistry registry, Duration closeTimeout) {
        this.io = io;
        this.admin = new SocketIoAdmin(io, registry);
        this.closeTimeout = closeTimeout;
    }

    /** Creates the Socket.IO server over {@code router}; nothing listens until its handler is mounted. */
    public static Realtime create(ServerConfig config, Router router, MeterRegistry registry) {
        return create(config, router, registry, null);
    }

    /**
     * @param durableRecovery the recovery backend of durable rooms (switchboard.durable.rooms), or null:
     *                        when given, connection state recovery is on and uses it
     */
    public static Realtime create(ServerConfig config, Router router, MeterRegistry registry,
                                  dev.switchboard.socketio.recovery.RecoveryBackend.Factory durableRecovery) {
        return create(config, router, registry, durableRecovery, null);
    }

    /** @param handlers the node's handler runner ({@code SwitchboardNode.handlers()}), or null for a standalone one */
    public static Realtime create(ServerConfig config, Router router, MeterRegistry registry,
                                  dev.switchboard.socketio.recovery.RecoveryBackend.Factory durableRecovery,
                                  dev.switchboard.core.handler.HandlerRunner handlers) {
        return create(config, router, registry, durableRecovery, handlers, null);
    }

    /** @param authenticator run first for every socket of every namespace (the token check), or null */
    public static Realtime create(ServerConfig config, Router router, MeterRegistry registry,
                                  dev.switchboard.socketio.recovery.RecoveryBackend.Factory durableRecovery,
                                  dev.switchboard.core.handler.HandlerRunner handlers,
                                  dev.switchboard.socketio.Middleware authenticator) {
        ServerConfig.SocketIo s = config.socketIo();
        EngineIoConfig engine = EngineIoConfig.builder()
                .path(s.path())
                .pingInterval(s.pingInterval())
                .pingTimeout(s.pingTimeout())
                .maxPayload((int) s.maxPayload())
                .perMessageDeflate(s.perMessageDeflate())
                .perMessageDeflateThreshold(s.perMessageDeflateThreshold())
                .httpCompression(s.httpCompression())
                .httpCompressionThreshold(s.httpCompressionThreshold())
                .allowRequest(new dev.switchboard.server.limits.HandshakeGuard(config.http().corsOrigins(),
                        config.limits().handshakesPerIpPerSecond(), registry))
                .build();
        MicrometerSocketIoMetrics meters = new MicrometerSocketIoMetrics(registry);
        SocketIoConfig.Builder b = SocketIoConfig.builder()
                .engine(engine)
                .connectTimeout(s.connectTimeout())
                .authenticator(authenticator)
                .packetRateLimit(config.limits().packetRateLimit())
                .metrics(meters);
        if (durableRecovery != null) {
            // Sessions live as long as switchboard.durable.session-ttl; this duration is not used then.
            b.recovery(RecoveryConfig.builder()
                    .maxDisconnectionDuration(s.recovery().isZero() ? Duration.ofMinutes(2) : s.recovery())
                    .backend(durableRecovery)
                    .build());
        } else if (!s.recovery().isZero()) {
            b.recovery(RecoveryConfig.builder().maxDisconnectionDuration(s.recovery()).build());
        }
        SocketIoServer io = handlers == null ? SocketIoServer.create(b.build(), router)
                : SocketIoServer.create(b.build(), router, handlers);
        io.sockets(); // the main namespace exists from the start, as in socket.io
        if (config.demoEnabled()) {
            ChatDemo.install(io.of(ChatDemo.NAMESPACE));
        }
        meters.bind(io);
        return new Realtime(io, registry, config.shutdownTimeout());
    }

    /**
     * The managed namespaces, plus the demo's ({@code /demo}, every room, unless configured otherwise) when
     * the demo is on: its page speaks the {@code switchboard:} protocol.
     */
    public static ManagedSettings withDemo(ManagedSettings managed, boolean demo) {
        if (!demo || managed.namespaces().stream().anyMatch(m -> m.namespace().equals(ChatDemo.NAMESPACE))) {
            return managed;
        }
        List<ManagedSettings.Managed> all = new ArrayList<>(managed.namespaces());
        all.add(new ManagedSettings.Managed(ChatDemo.NAMESPACE, List.of("*"), List.of("*"), ChatDemo.MAX_ROOMS));
        return new ManagedSettings(all);
    }

    public HttpHandler httpHandler() {
        return io.httpHandler();
    }

    public SocketAdmin admin() {
        return admin;
    }

    public SocketIoServer io() {
        return io;
    }

    public int sessions() {
        return io.engine().sessionCount();
    }

    /**
     * Tells every client that the server is going away, then closes the Engine.IO sessions and refuses
     * new handshakes; waits up to the shutdown timeout.
     *
     * <p>Each socket first gets a Socket.IO DISCONNECT packet (the client's reason is
     * {@code io server disconnect}: a deliberate disconnect, which official clients do not retry on
     * their own), then {@link SocketIoServer#close()} ends the sessions (server-side reason
     * {@code server shutting down}). Both are queued on each connection's event loop in that order, so
     * the packet is written before the connection closes. Without the first step a client could not
     * tell a shutdown from a crash ({@code transport close}, retried at once).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        int sessions = sessions();
        log.info("disconnecting {} Socket.IO session(s): server shutting down", sessions);
        try {
            io.disconnectAll().toCompletableFuture().get(Math.min(2_000, Math.max(1, closeTimeout.toMillis())),
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("DISCONNECT packets not all written within the bound; closing the sessions anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            io.close().toCompletableFuture().get(Math.max(1, closeTimeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("Socket.IO sessions still open after {}; the listener closes them", closeTimeout);
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("Socket.IO close failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
