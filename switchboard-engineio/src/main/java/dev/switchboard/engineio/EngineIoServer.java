package dev.switchboard.engineio;

import dev.switchboard.transport.HttpHandler;
import dev.switchboard.transport.TransportConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * An Engine.IO v4 server, as npm {@code engine.io} 6.x behaves. Mount {@link #httpHandler()} on an
 * {@link dev.switchboard.transport.HttpServer} at {@link EngineIoConfig#path()}:
 *
 * <pre>{@code
 * EngineIoServer engine = EngineIoServer.create(EngineIoConfig.defaults(), socket ->
 *         socket.listener(new EngineSocket.Listener() {
 *             public void onMessage(String text) { socket.send(text); }
 *         }));
 * HttpServer http = HttpServer.builder(transportConfig)
 *         .route(engine.config().path(), engine.httpHandler())
 *         .build();
 * }</pre>
 */
public interface EngineIoServer {

    static EngineIoServer create(EngineIoConfig config, ConnectionListener listener) {
        return new DefaultEngineIoServer(config, listener);
    }

    /**
     * Sizes a transport for an Engine.IO route: the HTTP aggregator lets a body up to 64 KiB over
     * maxPayload through (so Engine.IO answers 413 and closes the session itself; a larger body is
     * answered 413 by the transport, which tells the route, and the session is closed all the same),
     * and the idle timeout outlasts the longest heartbeat silence (pingInterval + pingTimeout,
     * doubled; at least 120 s; upgraded WebSockets drop it, the heartbeat covering them). Returns the
     * same builder.
     */
    static TransportConfig.Builder fitTransport(TransportConfig.Builder transport, EngineIoConfig config) {
        long heartbeat = config.pingInterval().toMillis() + config.pingTimeout().toMillis();
        return transport
                .maxContentLength((int) Math.min(Integer.MAX_VALUE, config.maxPayload() + 65_536L))
                .idleTimeout(Duration.ofMillis(Math.max(120_000, 2 * heartbeat)));
    }

    EngineIoConfig config();

    /** The route to mount; it is also the one that closes sessions on transport shutdown. */
    HttpHandler httpHandler();

    /** Sessions open now (handshaken and not yet closed). */
    int sessionCount();

    /** A snapshot of the open sessions. */
    Collection<EngineSocket> sessions();

    /** The session with that id, or {@code null}. */
    EngineSocket session(String id);

    /**
     * Sessions closed because their pending bytes passed {@link EngineIoConfig#maxPendingBytes()}
     * since the server was created (for metrics).
     */
    long slowClientCloses();

    /**
     * Closes every session as {@link EngineSocket#close()} does ({@link CloseReason#FORCED_CLOSE}, as
     * engine.io's {@code close()}), and refuses new handshakes; completes when every session has closed.
     */
    CompletionStage<Void> close();

    /** Told of each new session, on that session's event loop, before its first packet is read. */
    @FunctionalInterface
    interface ConnectionListener {
        void onConnection(EngineSocket socket);
    }
}
