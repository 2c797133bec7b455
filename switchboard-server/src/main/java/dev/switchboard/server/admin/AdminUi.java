package dev.switchboard.server.admin;

import dev.switchboard.socketio.BroadcastOperator;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the official Socket.IO admin UI ({@code @socket.io/admin-ui} 0.5.1), reimplemented
 * over the Java API: the {@code /admin} namespace with its authentication, the {@code config} it sends
 * first, {@code server_stats} every {@link #STATS_PERIOD_MS} ms, and in development mode
 * {@code all_sockets}, {@code socket_connected}, {@code socket_disconnected}, {@code room_joined},
 * {@code room_left}, {@code event_received} and {@code event_sent}; the UI's actions {@code emit},
 * {@code join}, {@code leave} and {@code _disconnect} unless read-only.
 *
 * <p>How events are learned: connections, disconnections and events through each namespace's listeners;
 * room changes, and namespaces created after start, by comparing snapshots every
 * {@link #TRACK_PERIOD_MS} ms (the Java API has no room-change listener), so the UI sees a join up to
 * that much later. Sockets that connected before a namespace was first seen are caught up the same way.
 *
 * <p>Threading: listeners run on the sockets' event loops; the snapshot comparison and the statistics run
 * on one scheduler thread, the only writer of each tracked socket's room set once it is tracked.
 * Nothing is sent while no admin socket is connected.
 */
public final class AdminUi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.switchboard.server.admin");
    /** The npm package's period: the UI's charts expect a point every two seconds. */
    static final long STATS_PERIOD_MS = 2_000;
    /** How late a room change or a new namespace may reach the UI. */
    static final long TRACK_PERIOD_MS = 1_000;

    private final SocketIoServer io;
    private final AdminUiSettings settings;
    private final Namespace admin;
    private final AdminAuth auth;
    private final ServerStats stats;
    private final List<String> features;
    private final ScheduledExecutorService timer;
    /** Namespaces whose connection listener is installed. */
    private final Set<String> hooked = ConcurrentHashMap.newKeySet();
    /** Tracked sockets ("nsp\nid") -> the rooms last reported to the UI. Present while connected. */
    private final Map<String, Set<String>> tracked = new ConcurrentHashMap<>();

    private AdminUi(SocketIoServer io, AdminUiSettings settings, MeterRegistry registry) {
        this.io = io;
        this.settings = settings;
        this.admin = io.of(AdminUiSettings.NAMESPACE);
        this.auth = new AdminAuth(settings, registry, Clock.systemUTC());
        this.stats = new ServerStats(io, registry);
        this.features = features(settings);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-admin-ui");
            t.setDaemon(true);
            return t;
        });
    }

    /** Installs the {@code /admin} namespace on {@code io} and starts its timers. */
    public static AdminUi install(SocketIoServer io, AdminUiSettings settings, MeterRegistry registry) {
        AdminUi ui = new AdminUi(io, settings, registry);
        ui.start();
        log.info("admin UI on namespace {}: {} mode, {}{}", AdminUiSettings.NAMESPACE, settings.mode().text(),
                settings.auth() == AdminUiSettings.Auth.NONE ? "NO AUTHENTICATION" : "user " + settings.username(),
                settings.readOnly() ? ", read-only" : "");
        return ui;
    }

    private static List<String> features(AdminUiSettings settings) {
        List<String> f = new ArrayList<>();
        if (!settings.readOnly()) {
            f.addAll(List.of("EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"));
        }
        f.add("AGGREGATED_EVENTS");
        if (settings.mode() == AdminUiSettings.Mode.DEVELOPMENT) {
            f.add("ALL_EVENTS");
        }
        return List.copyOf(f);
    }

    private boolean development() {
        return settings.mode() == AdminUiSettings.Mode.DEVELOPMENT;
    }

    private void start() {
        admin.use(auth);
        admin.on("connection", this::onAdminConnection);
        if (development()) {
            track();
        }
        timer.scheduleAtFixedRate(this::safely, STATS_PERIOD_MS, STATS_PERIOD_MS, TimeUnit.MILLISECONDS);
        if (development()) {
            timer.scheduleWithFixedDelay(this::trackSafely, TRACK_PERIOD_MS, TRACK_PERIOD_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void onAdminConnection(Socket socket) {
        String session = auth.takeIssuedSession(socket.id());
        if (session != null) {
            socket.emit("session", session);
        }
        socket.onDisconnect(reason -> auth.forget(socket.id()));
        if (!settings.readOnly()) {
            registerActions(socket);
        }
        socket.emit("config", Map.of("supportedFeatures", features));
        if (development()) {
            List<Socket> all = new ArrayList<>();
            for (Namespace ns : io.namespaces()) {
                all.addAll(ns.sockets().values());
            }
            socket.emit("all_sockets", SocketView.all(all));
        }
        socket.emit("server_stats", stats.snapshot(false));
    }

    // ---- actions (the UI's buttons), each on the namespace named, never creating one ----

    private void registerActions(Socket socket) {
        socket.on("emit", (args, ack) -> {
            Namespace ns = namespace(args, 0);
            String filter = text(args, 1);
            String event = text(args, 2);
            if (ns == null || event == null || event.isEmpty()) {
                return;
            }
            Object[] payload = args.subList(3, args.size()).toArray();
            target(ns, filter).emit(event, payload);
            log.info("admin UI {}: emit {} to {}{}", socket.id(), event, ns.name(), filter == null ? "" : " " + filter);
        });
        socket.on("join", (args, ack) -> {
            Namespace ns = namespace(args, 0);
            String room = text(args, 1);
            if (ns != null && room != null && !room.isEmpty()) {
                target(ns, text(args, 2)).socketsJoin(room);
                log.info("admin UI {}: {} {} join room {}", socket.id(), ns.name(), describe(text(args, 2)), room);
            }
        });
        socket.on("leave", (args, ack) -> {
            Namespace ns = namespace(args, 0);
            String room = text(args, 1);
            if (ns != null && room != null && !room.isEmpty()) {
                target(ns, text(args, 2)).socketsLeave(room);
                log.info("admin UI {}: {} {} leave room {}", socket.id(), ns.name(), describe(text(args, 2)), room);
            }
        });
        socket.on("_disconnect", (args, ack) -> {
            Namespace ns = namespace(args, 0);
            boolean close = args.size() > 1 && Boolean.TRUE.equals(args.get(1));
            if (ns != null) {
                target(ns, text(args, 2)).disconnectSockets(close);
                log.info("admin UI {}: disconnect {} {}{}", socket.id(), ns.name(), describe(text(args, 2)),
                        close ? " (closing the connection)" : "");
            }
        });
    }

    private static String describe(String filter) {
        return filter == null ? "all sockets" : "sockets in " + filter;
    }

    /** A filter is a room, and a socket id is the room only that socket is in: one path for both. */
    private static BroadcastOperator target(Namespace ns, String filter) {
        return filter == null || filter.isEmpty() ? ns : ns.in(filter);
    }

    private Namespace namespace(List<Object> args, int i) {
        String name = text(args, i);
        return name == null ? null : io.namespace(name);
    }

    private static String text(List<Object> args, int i) {
        return args.size() > i && args.get(i) instanceof String s ? s : null;
    }

    // ---- what the UI is told ----

    private boolean watched() {
        return !admin.sockets().isEmpty();
    }

    private void safely() {
        try {
            ServerStats.Snapshot s = stats.snapshot(true);
            if (watched()) {
                admin.emit("server_stats", s);
            }
        } catch (RuntimeException e) {
            log.warn("admin UI statistics failed: {}", e.toString());
        }
    }

    private void trackSafely() {
        try {
            track();
        } catch (RuntimeException e) {
            log.warn("admin UI tracking failed: {}", e.toString());
        }
    }

    /** Hooks namespaces not seen yet, catches up untracked sockets, reports room changes and lost sockets. */
    private void track() {
        Set<String> live = new java.util.HashSet<>();
        for (Namespace ns : io.namespaces()) {
            if (hooked.add(ns.name())) {
                ns.on("connection", this::onConnection);
            }
            for (Socket s : ns.sockets().values()) {
                String key = key(s.namespace(), s.id());
                live.add(key);
                Set<String> reported = tracked.get(key);
                if (reported == null) {
                    onConnection(s);
                    continue;
                }
                Set<String> now = s.rooms();
                for (String room : now) {
                    if (!reported.contains(room)) {
                        emitIfWatched("room_joined", s.namespace(), room, s.id(), SocketView.now());
                    }
                }
                for (String room : reported) {
                    if (!now.contains(room)) {
                        emitIfWatched("room_left", s.namespace(), room, s.id(), SocketView.now());
                    }
                }
                tracked.replace(key, reported, Set.copyOf(now));
            }
        }
        for (String key : tracked.keySet()) {
            if (!live.contains(key) && tracked.remove(key) != null) {
                // Gone between two snapshots without its disconnect listener having run.
                int nl = key.indexOf('\n');
                emitIfWatched("socket_disconnected", key.substring(0, nl), key.substring(nl + 1), "unknown", SocketView.now());
            }
        }
    }

    /** Once per socket, from its namespace's connection listener or from the snapshot that found it first. */
    private void onConnection(Socket socket) {
        String key = key(socket.namespace(), socket.id());
        if (!socket.connected() || tracked.putIfAbsent(key, Set.copyOf(socket.rooms())) != null) {
            return;
        }
        emitIfWatched("socket_connected", SocketView.of(socket), SocketView.now());
        socket.onDisconnect(reason -> {
            if (tracked.remove(key) != null) {
                emitIfWatched("socket_disconnected", socket.namespace(), socket.id(), reason.text(), SocketView.now());
            }
        });
        if (!socket.namespace().equals(AdminUiSettings.NAMESPACE)) {
            socket.onAny((event, args) -> {
                if (watched()) {
                    admin.emit("event_received", socket.namespace(), socket.id(), withEvent(event, args), SocketView.now());
                }
            });
            socket.onAnyOutgoing((event, args) -> {
                if (watched()) {
                    admin.emit("event_sent", socket.namespace(), socket.id(), withEvent(event, args), SocketView.now());
                }
            });
        }
    }

    private static List<Object> withEvent(String event, List<Object> args) {
        List<Object> all = new ArrayList<>(args.size() + 1);
        all.add(event);
        all.addAll(args);
        return all;
    }

    private void emitIfWatched(String event, Object... args) {
        if (watched()) {
            admin.emit(event, args);
        }
    }

    private static String key(String namespace, String id) {
        return namespace + "\n" + id;
    }

    /** For tests: the features announced in {@code config}. */
    List<String> features() {
        return features;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        auth.close();
    }
}
