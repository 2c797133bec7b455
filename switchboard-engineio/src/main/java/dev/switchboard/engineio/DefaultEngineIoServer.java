package dev.switchboard.engineio;

import dev.switchboard.transport.HttpHandler;
import io.netty.channel.Channel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session table and the route. Sessions are created on the handshake channel's loop, removed by
 * their own {@link Session#onClose}; the table is the only structure shared across loops.
 */
final class DefaultEngineIoServer implements EngineIoServer {

    private static final Logger log = LoggerFactory.getLogger(DefaultEngineIoServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EngineIoConfig config;
    private final ConnectionListener listener;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    /**
     * How long a session closed by its client's close packet over polling stays findable: a GET sent
     * before the close travels on another connection and may be handed over after it. Seconds are
     * generous for a request already sent; the session holds no buffers once closed.
     */
    static final long CLOSED_BY_CLIENT_KEPT_MS = 10_000;
    /** Bound of that table (closed sessions kept at once); past it a late GET gets 400 (unknown session). */
    static final int MAX_CLOSED_BY_CLIENT = 10_000;
    private final ConcurrentHashMap<String, Session> closedByClient = new ConcurrentHashMap<>();
    private final EngineRequestHandler handler;
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private final LongAdder slowClients = new LongAdder();
    private volatile boolean closed;

    DefaultEngineIoServer(EngineIoConfig config, ConnectionListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.handler = new EngineRequestHandler(this);
    }

    @Override
    public EngineIoConfig config() {
        return config;
    }

    ConnectionListener listener() {
        return listener;
    }

    @Override
    public HttpHandler httpHandler() {
        return handler;
    }

    @Override
    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public Collection<EngineSocket> sessions() {
        return List.copyOf(sessions.values());
    }

    @Override
    public EngineSocket session(String id) {
        return sessions.get(id);
    }

    /**
     * The session with this sid: open, or closed by its client's close packet over polling within the
     * last {@link #CLOSED_BY_CLIENT_KEPT_MS} (its in-flight GET then answers noop, see
     * {@link Session#onPollRequest}).
     */
    Session find(String id) {
        Session s = sessions.get(id);
        return s != null ? s : closedByClient.get(id);
    }

    @Override
    public long slowClientCloses() {
        return slowClients.sum();
    }

    void countSlowClient() {
        slowClients.increment();
    }

    boolean isClosed() {
        return closed;
    }

    Session newSession(Handshake handshake, Channel ch, TransportKind transport) {
        while (true) {
            Session s = new Session(newId(), handshake, ch.eventLoop(), this, transport, ch.alloc());
            if (sessions.putIfAbsent(s.id(), s) == null) {
                log.debug("engine.io session {} opened over {} from {}", s.id(), transport.protocolName(),
                        handshake.remoteAddress());
                return s;
            }
        }
    }

    void remove(Session s) {
        if (s.closedByClientOverPolling() && closedByClient.size() < MAX_CLOSED_BY_CLIENT) {
            // A GET the client sent before its close may still be on its way on another connection.
            closedByClient.put(s.id(), s);
            try {
                s.eventLoop().schedule(() -> closedByClient.remove(s.id(), s), CLOSED_BY_CLIENT_KEPT_MS,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                closedByClient.remove(s.id(), s);
            }
        }
        sessions.remove(s.id(), s);
        if (closed && sessions.isEmpty()) {
            allClosed.complete(null);
        }
    }

    @Override
    public CompletionStage<Void> close() {
        closed = true;
        List<Session> open = new ArrayList<>(sessions.values());
        if (!open.isEmpty()) {
            log.info("engine.io closing {} session(s)", open.size());
        }
        for (Session s : open) {
            if (!s.run(() -> s.closeByServer(true))) {
                sessions.remove(s.id(), s); // its loop is gone: nothing left to close
            }
        }
        if (sessions.isEmpty()) {
            allClosed.complete(null);
        }
        return allClosed;
    }

    /** 15 random bytes as 20 url-safe base64 characters, like engine.io's base64id. */
    private static String newId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
