package dev.switchboard.server.auth;

import dev.switchboard.socketio.Ack;
import dev.switchboard.socketio.Middleware;
import dev.switchboard.socketio.Socket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Socket.IO side of JWT authentication, installed as the server's authenticator (run first for every
 * socket of every namespace, recovered ones included).
 *
 * <ul>
 *   <li>The client sends its token as {@code auth.token} (socket.io-client: {@code io(url, {auth: {token}})}).
 *       Without a valid one the socket is refused with CONNECT_ERROR {@code {"message": "unauthorized",
 *       "data": {"reason": "token expired"}}} (the reasons of {@link AuthException}), counted in
 *       {@code switchboard_auth_refusals_total{protocol="socketio",reason}}.</li>
 *   <li>Accepted: {@code socket.data.userId} is the token's {@code sub} (what inboxes use), and
 *       {@link #identity(Socket)} gives the claims to permission checks.</li>
 *   <li>{@link JwtSettings#expiryNotice()} before {@code exp} the socket receives
 *       {@code switchboard:token-expiring} {@code {"exp": <epoch s>, "disconnectAt": <epoch ms>}}; the client
 *       answers with {@code switchboard:refresh} (the new token, or {@code {"token": ..}}) and an ack
 *       callback, which gets {@code {"ok": true, "exp": ..}} or {@code {"error": reason}}. A fresh token must
 *       name the same {@code sub}. Without one the socket is disconnected {@link JwtSettings#expiryGrace()}
 *       after {@code exp} (the client sees {@code io server disconnect}), counted in
 *       {@code switchboard_auth_expired_disconnects_total}.</li>
 * </ul>
 *
 * <p>Threading: middleware and listeners run on the socket's event loop; expiry is checked once per
 * {@link #SWEEP_INTERVAL} by one scheduler thread over the map of authenticated sockets, which only calls
 * the socket's thread-safe {@code emit}/{@code disconnect}. An entry leaves the map when its socket
 * disconnects, or, for a socket that never connected (a later middleware refused it), at the first sweep
 * after {@link #UNCONNECTED_TTL}.
 */
public final class SocketAuthenticator implements Middleware, AutoCloseable {

    /** Event sent when the token is about to expire. */
    public static final String TOKEN_EXPIRING = "switchboard:token-expiring";
    /** Event a client sends with a fresh token. */
    public static final String REFRESH = "switchboard:refresh";
    /** Key of {@code socket.data} holding the user id ({@code sub}); the one inboxes read. */
    public static final String USER_ID = "userId";

    private static final Logger log = LoggerFactory.getLogger(SocketAuthenticator.class);
    /** Expiry is enforced to this precision; one pass over the authenticated sockets per interval. */
    static final Duration SWEEP_INTERVAL = Duration.ofMillis(500);
    /** A socket still not connected this long after its token was accepted was refused later: forgotten. */
    static final Duration UNCONNECTED_TTL = Duration.ofMinutes(2);

    private final TokenVerifier verifier;
    private final JwtSettings settings;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Counter expiredDisconnects;
    private final Map<Socket, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /** The token state of one authenticated socket; fields guarded by {@code this}. */
    private static final class Session {
        final Instant accepted;
        Identity identity;
        boolean notified;
        Instant disconnectAt;

        Session(Identity identity, Instant accepted) {
            this.identity = identity;
            this.accepted = accepted;
        }
    }

    public SocketAuthenticator(TokenVerifier verifier, JwtSettings settings, MeterRegistry registry) {
        this(verifier, settings, registry, Clock.systemUTC());
    }

    SocketAuthenticator(TokenVerifier verifier, JwtSettings settings, MeterRegistry registry, Clock clock) {
        this.verifier = verifier;
        this.settings = settings;
        this.clock = clock;
        this.registry = registry;
        this.expiredDisconnects = Counter.builder("switchboard.auth.expired.disconnects")
                .description("Sockets disconnected because their token expired and no fresh one came")
                .register(registry);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-auth-expiry");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Counts a refusal by protocol and reason ({@code switchboard_auth_refusals_total}). */
    public static void countRefusal(MeterRegistry registry, String protocol, String reason) {
        Counter.builder("switchboard.auth.refusals")
                .description("Connections or requests refused for want of a valid token, by reason")
                .tag("protocol", protocol)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    @Override
    public void handle(Socket socket, Next next) {
        Object token = socket.handshake().auth().get("token");
        Identity identity;
        try {
            identity = verifier.verify(token instanceof String s ? s : null);
        } catch (AuthException e) {
            countRefusal(registry, "socketio", e.reason());
            log.info("socket {} of {} refused from {}: {}", socket.id(), socket.namespace(),
                    socket.handshake().address(), e.reason());
            next.reject("unauthorized", Map.of("reason", e.reason()));
            return;
        }
        socket.data().put(USER_ID, identity.subject());
        sessions.put(socket, new Session(identity, clock.instant()));
        socket.on(REFRESH, (args, ack) -> refresh(socket, args, ack));
        socket.onDisconnect(reason -> sessions.remove(socket));
        next.proceed();
    }

    /** The identity of an authenticated, connected socket; null when none (auth off or not authenticated). */
    public Identity identity(Socket socket) {
        Session s = sessions.get(socket);
        if (s == null) {
            return null;
        }
        synchronized (s) {
            return s.identity;
        }
    }

    private void refresh(Socket socket, List<Object> args, Ack ack) {
        Object a = args.isEmpty() ? null : args.get(0);
        if (a instanceof Map<?, ?> m) {
            a = m.get("token");
        }
        Session session = sessions.get(socket);
        if (session == null) {
            ack.send(Map.of("error", "not authenticated"));
            return;
        }
        Identity fresh;
        try {
            fresh = verifier.verify(a instanceof String s ? s : null);
        } catch (AuthException e) {
            countRefusal(registry, "socketio-refresh", e.reason());
            ack.send(Map.of("error", e.reason()));
            return;
        }
        synchronized (session) {
            if (!fresh.subject().equals(session.identity.subject())) {
                countRefusal(registry, "socketio-refresh", "different sub");
                ack.send(Map.of("error", "the token is for another sub"));
                return;
            }
            session.identity = fresh;
            session.notified = false;
            session.disconnectAt = null;
        }
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("ok", true);
        ok.put("exp", fresh.expiresAt().getEpochSecond());
        ack.send(ok);
    }

    /** One pass: notices, disconnects, and forgetting sockets that never connected. */
    private void sweep() {
        try {
            Instant now = clock.instant();
            for (Map.Entry<Socket, Session> e : sessions.entrySet()) {
                Socket socket = e.getKey();
                Session s = e.getValue();
                if (!socket.connected()) {
                    if (Duration.between(s.accepted, now).compareTo(UNCONNECTED_TTL) > 0) {
                        sessions.remove(socket, s);
                    }
                    continue;
                }
                step(socket, s, now);
            }
        } catch (RuntimeException e) {
            log.warn("token expiry sweep failed: {}", e.toString());
        }
    }

    private void step(Socket socket, Session s, Instant now) {
        Instant exp;
        boolean notify = false;
        boolean disconnect = false;
        synchronized (s) {
            exp = s.identity.expiresAt();
            if (!s.notified && !now.isBefore(exp.minus(settings.expiryNotice()))) {
                s.notified = true;
                s.disconnectAt = exp.plus(settings.expiryGrace());
                notify = true;
            } else if (s.notified && s.disconnectAt != null && !now.isBefore(s.disconnectAt)) {
                disconnect = true;
            }
        }
        if (notify) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("exp", exp.getEpochSecond());
            body.put("disconnectAt", exp.plus(settings.expiryGrace()).toEpochMilli());
            socket.emit(TOKEN_EXPIRING, body);
        } else if (disconnect) {
            sessions.remove(socket, s);
            expiredDisconnects.increment();
            log.info("socket {} of {} (sub {}) disconnected: token expired and not refreshed", socket.id(),
                    socket.namespace(), s.identity.subject());
            socket.disconnect(false);
        }
    }

    /** Number of authenticated sockets tracked (tests and metrics). */
    public int tracked() {
        return sessions.size();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
