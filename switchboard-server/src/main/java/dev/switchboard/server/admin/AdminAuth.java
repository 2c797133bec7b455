package dev.switchboard.server.admin;

import dev.switchboard.socketio.Middleware;
import dev.switchboard.socketio.Socket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin namespace's middleware, as {@code @socket.io/admin-ui}'s basic authentication: a handshake
 * whose {@code auth.sessionId} names a live session is let in; else {@code auth.username} and
 * {@code auth.password} are checked against the bcrypt hash, and a success opens a session whose id the
 * socket receives as its first event ({@code session}), which the UI keeps to reconnect without the
 * password. Anything else is refused with CONNECT_ERROR {@code invalid credentials}, the message the UI
 * shows.
 *
 * <p>Threading: bcrypt is slow on purpose (tens of ms at cost 10), so checks run on one thread of their
 * own, never on an event loop; at most {@link #MAX_WAITING_CHECKS} wait, beyond that a handshake is
 * refused with {@code too many login attempts} (counted in {@code switchboard.admin.logins}).
 */
final class AdminAuth implements Middleware, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.switchboard.server.admin");
    /** Logins waiting for the bcrypt thread; a burst beyond this is refused rather than queued without end. */
    static final int MAX_WAITING_CHECKS = 16;
    /** Live sessions kept; the oldest is forgotten first (its UI then asks for the password again). */
    static final int MAX_SESSIONS = 1_000;
    /** How long a session lets its UI reconnect without the password (the npm package's RedisStore default). */
    static final Duration SESSION_TTL = Duration.ofDays(1);

    private final AdminUiSettings settings;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Session id -> expiry in epoch millis, oldest first. Guarded by itself. */
    private final LinkedHashMap<String, Long> sessions = new LinkedHashMap<>();
    /** Socket id -> the session opened by its handshake, until the socket has been told it. */
    private final Map<String, String> issued = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor checks;
    private final Counter success;
    private final Counter invalid;
    private final Counter busy;

    AdminAuth(AdminUiSettings settings, MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.checks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_WAITING_CHECKS),
                r -> {
                    Thread t = new Thread(r, "switchboard-admin-auth");
                    t.setDaemon(true);
                    return t;
                });
        String name = "switchboard.admin.logins";
        String help = "admin UI handshakes by outcome (session resumed or password checked)";
        this.success = Counter.builder(name).description(help).tag("outcome", "success").register(registry);
        this.invalid = Counter.builder(name).description(help).tag("outcome", "invalid").register(registry);
        this.busy = Counter.builder(name).description(help).tag("outcome", "busy").register(registry);
    }

    @Override
    public void handle(Socket socket, Next next) {
        if (settings.auth() == AdminUiSettings.Auth.NONE) {
            next.proceed();
            return;
        }
        Map<String, Object> auth = socket.handshake().auth();
        if (auth.get("sessionId") instanceof String sessionId && sessionAlive(sessionId)) {
            success.increment();
            next.proceed();
            return;
        }
        Object username = auth.get("username");
        Object password = auth.get("password");
        if (!settings.username().equals(username) || !(password instanceof String pw) || pw.length() > 1024) {
            refuse(socket, next);
            return;
        }
        try {
            checks.execute(() -> {
                if (settings.passwordMatches(pw)) {
                    issued.put(socket.id(), openSession());
                    success.increment();
                    log.info("admin UI login of {} from {} (socket {})", username, socket.handshake().address(), socket.id());
                    next.proceed();
                } else {
                    refuse(socket, next);
                }
            });
        } catch (RejectedExecutionException e) {
            busy.increment();
            next.reject("too many login attempts, try again", null);
        }
    }

    private void refuse(Socket socket, Next next) {
        invalid.increment();
        log.warn("admin UI login refused from {} (socket {}): invalid credentials", socket.handshake().address(), socket.id());
        next.reject("invalid credentials", null);
    }

    /** The session opened by this socket's handshake, once (null when it resumed one or there is no auth). */
    String takeIssuedSession(String socketId) {
        return issued.remove(socketId);
    }

    /** Forgets what was issued to a socket that left before it was told. */
    void forget(String socketId) {
        issued.remove(socketId);
    }

    private String openSession() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        String sessionId = HexFormat.of().formatHex(id);
        synchronized (sessions) {
            while (sessions.size() >= MAX_SESSIONS) {
                Iterator<String> oldest = sessions.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            sessions.put(sessionId, clock.millis() + SESSION_TTL.toMillis());
        }
        return sessionId;
    }

    private boolean sessionAlive(String sessionId) {
        synchronized (sessions) {
            Long expires = sessions.get(sessionId);
            if (expires == null) {
                return false;
            }
            if (expires < clock.millis()) {
                sessions.remove(sessionId);
                return false;
            }
            return true;
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
