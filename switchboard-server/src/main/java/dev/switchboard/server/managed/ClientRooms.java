package dev.switchboard.server.managed;

import dev.switchboard.core.bridge.BridgeHandle;
import dev.switchboard.core.bridge.BridgeStoppedException;
import dev.switchboard.core.bridge.OutboundFullException;
import dev.switchboard.core.bridge.OutboundRule;
import dev.switchboard.core.message.MessageId;
import dev.switchboard.core.routing.TopicFilter;
import dev.switchboard.server.api.ReservedEvents;
import dev.switchboard.server.auth.Identity;
import dev.switchboard.server.durable.DurablePlane;
import dev.switchboard.socketio.Ack;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code switchboard:} client protocol of a managed namespace: clients subscribe themselves to rooms,
 * publish, and read presence and history, each within their {@link Permissions}. Every request carries an
 * ack callback, answered {@code {"ok": true, ...}} or {@code {"error": reason}}:
 *
 * <ul>
 *   <li>{@code switchboard:subscribe} {@code room} or {@code {room}} → {@code {ok, room}}; {@code {room, offset}}
 *       for a durable room: first the room's events after that recovery offset (the last argument of the last
 *       event of the room the client received), then its live events, no gap and no duplicate
 *       ({@link Socket#joinFrom}) → {@code {ok, room, replayed}}, plus {@code truncated} when the history no
 *       longer reaches back there</li>
 *   <li>{@code switchboard:unsubscribe} {@code room} → {@code {ok, room}}</li>
 *   <li>{@code switchboard:publish} {@code {room, event, data}} → {@code {ok, room}} once the message is
 *       safe: for a durable room once stored, for a room of a bridge's outbound rules once every such bridge
 *       confirmed it (both when both), otherwise once handed to the routing fabric; {@code {error}} when
 *       it could not be stored ({@code not stored: ...}, then nobody receives it) or a bridge did not confirm
 *       ({@code bridge busy | timeout | unavailable | failed}). Every subscriber, the publisher too if
 *       subscribed, receives {@code event} with {@code data}.</li>
 *   <li>{@code switchboard:presence} {@code room} → {@code {ok, room, members: [{id, user}]}} (at most
 *       {@link #MAX_PRESENCE} members)</li>
 *   <li>{@code switchboard:history} {@code {room, from, limit}} → {@code {ok, room, firstOffset,
 *       nextOffset, truncated, messages}} for a durable room</li>
 * </ul>
 * Presence and history need the subscribe permission. Refusals are counted in
 * {@code switchboard_managed_denied_total{action}}. Listeners run on the socket's event loop; history
 * answers when the store does.
 */
public final class ClientRooms {

    public static final String SUBSCRIBE = "switchboard:subscribe";
    public static final String UNSUBSCRIBE = "switchboard:unsubscribe";
    public static final String PUBLISH = "switchboard:publish";
    public static final String PRESENCE = "switchboard:presence";
    public static final String HISTORY = "switchboard:history";
    /** Members one presence answer lists at most. */
    static final int MAX_PRESENCE = 1000;
    /** Longest room name accepted. */
    static final int MAX_ROOM_LENGTH = 256;

    private static final Logger log = LoggerFactory.getLogger(ClientRooms.class);

    private final ManagedSettings.Managed settings;
    private final Namespace namespace;
    private final Function<Socket, Identity> identities;
    private final DurablePlane durable;
    private final List<BridgeHandle> bridges;
    private final MeterRegistry registry;

    private ClientRooms(ManagedSettings.Managed settings, Namespace namespace, Function<Socket, Identity> identities,
                        DurablePlane durable, List<BridgeHandle> bridges, MeterRegistry registry) {
        this.settings = settings;
        this.namespace = namespace;
        this.identities = identities;
        this.durable = durable;
        this.bridges = bridges;
        this.registry = registry;
    }

    /**
     * Installs the protocol on each managed namespace.
     *
     * @param identities the verified identity of a socket (null when authentication is off)
     * @param durable    history of durable rooms; null for none
     * @param bridges    the running bridges, whose confirmation a publish to a room of their outbound rules waits for
     */
    public static void install(SocketIoServer io, ManagedSettings managed, Function<Socket, Identity> identities,
                               DurablePlane durable, List<BridgeHandle> bridges, MeterRegistry registry) {
        for (ManagedSettings.Managed m : managed.namespaces()) {
            ClientRooms rooms = new ClientRooms(m, io.of(m.namespace()), identities, durable, List.copyOf(bridges), registry);
            rooms.namespace.on("connection", rooms::onConnection);
            log.info("namespace {} is managed: clients subscribe with {} (subscribe {}, publish {})", m.namespace(),
                    SUBSCRIBE, m.subscribe(), m.publish());
        }
    }

    private void onConnection(Socket socket) {
        Permissions permissions = Permissions.of(settings, identities.apply(socket));
        Set<String> subscribed = ConcurrentHashMap.newKeySet();
        socket.on(SUBSCRIBE, (args, ack) -> {
            String room = room(args);
            if (room == null) {
                deny(ack, "subscribe", "give a room: a non-empty string of at most " + MAX_ROOM_LENGTH + " characters");
            } else if (reserved(room)) {
                deny(ack, "subscribe", "room " + room + " is reserved");
            } else if (!permissions.maySubscribe(room)) {
                deny(ack, "subscribe", "not allowed to subscribe to " + room);
            } else if (!subscribed.contains(room) && subscribed.size() >= settings.maxRooms()) {
                deny(ack, "subscribe", "too many rooms: at most " + settings.maxRooms() + " per connection");
            } else {
                String offset = offset(args);
                if (offset != null && (durable == null || !durable.isDurable(namespace.name(), room))) {
                    deny(ack, "subscribe", "room " + room + " is not durable: it has no recovery position");
                    return;
                }
                subscribed.add(room);
                if (offset == null) {
                    socket.join(room);
                    ack.send(ok(room));
                    return;
                }
                socket.joinFrom(room, offset).whenComplete((caughtUp, err) -> {
                    if (err != null) {
                        return; // the socket left meanwhile: nobody to answer
                    }
                    Map<String, Object> out = ok(room);
                    out.put("replayed", caughtUp.replayed());
                    if (caughtUp.truncation() != null) {
                        out.put("truncated", caughtUp.truncation());
                    }
                    ack.send(out);
                });
            }
        });
        socket.on(UNSUBSCRIBE, (args, ack) -> {
            String room = room(args);
            if (room == null || !subscribed.remove(room)) {
                deny(ack, "unsubscribe", "not subscribed to " + room);
                return;
            }
            socket.leave(room);
            ack.send(ok(room));
        });
        socket.on(PUBLISH, (args, ack) -> publish(permissions, args, ack));
        socket.on(PRESENCE, (args, ack) -> presence(permissions, args, ack));
        socket.on(HISTORY, (args, ack) -> history(permissions, args, ack));
    }

    private void publish(Permissions permissions, List<Object> args, Ack ack) {
        Map<?, ?> req = args.isEmpty() || !(args.get(0) instanceof Map<?, ?> m) ? Map.of() : m;
        String room = room(List.of(req.get("room") == null ? "" : req.get("room")));
        Object event = req.get("event");
        if (room == null || !(event instanceof String e) || e.isEmpty()) {
            deny(ack, "publish", "give {room, event, data}");
            return;
        }
        if (ReservedEvents.isReserved(e)) {
            deny(ack, "publish", "event " + e + " is reserved");
            return;
        }
        if (reserved(room) || !permissions.mayPublish(room)) {
            deny(ack, "publish", "not allowed to publish to " + room);
            return;
        }
        Object data = req.get("data");
        Object[] eventArgs = data == null ? new Object[0] : new Object[] {data};
        List<BridgeHandle> confirming = bridgesOf(room);
        MessageId id = MessageId.random();
        // Watched before the emit: a bridge may take the message before emitStored returns.
        List<CompletableFuture<Void>> waits = new ArrayList<>(confirming.size() + 1);
        for (BridgeHandle b : confirming) {
            waits.add(b.confirmation(id).toCompletableFuture());
        }
        CompletableFuture<Void> stored;
        try {
            stored = namespace.to(room).messageId(id).emitStored(e, eventArgs);
        } catch (IllegalArgumentException bad) {
            deny(ack, "publish", "cannot publish: " + bad.getMessage());
            return;
        }
        stored.whenComplete((v, err) -> {
            if (err != null) {
                Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                log.info("switchboard:publish to {} {} not stored: {}", namespace.name(), room, cause.toString());
                ack.send(Map.of("error", "not stored: " + cause.getClass().getSimpleName()));
                return;
            }
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).whenComplete((c, bridgeErr) -> {
                if (bridgeErr == null) {
                    ack.send(ok(room));
                    return;
                }
                Throwable cause = bridgeErr instanceof CompletionException && bridgeErr.getCause() != null
                        ? bridgeErr.getCause() : bridgeErr;
                log.debug("switchboard:publish to {} {}: a bridge did not confirm: {}", namespace.name(), room, cause.toString());
                ack.send(Map.of("error", bridgeReason(cause)));
            });
        });
    }

    /** The bridges one of whose outbound rules takes messages published to {@code room} of this namespace. */
    private List<BridgeHandle> bridgesOf(String room) {
        List<BridgeHandle> out = new ArrayList<>(0);
        for (BridgeHandle b : bridges) {
            for (OutboundRule rule : b.config().rules()) {
                if (rule.space().equals(namespace.name()) && TopicFilter.of(rule.roomFilter()).matches(room)) {
                    out.add(b);
                    break;
                }
            }
        }
        return out;
    }

    /** The reasons of the bridged-event protocol: a bridge's own message may hold internals, so it is not sent. */
    private static String bridgeReason(Throwable cause) {
        return cause instanceof OutboundFullException ? "bridge busy"
                : cause instanceof TimeoutException ? "bridge timeout"
                : cause instanceof BridgeStoppedException ? "bridge unavailable"
                : "bridge failed";
    }

    private void presence(Permissions permissions, List<Object> args, Ack ack) {
        String room = room(args);
        if (room == null || reserved(room) || !permissions.maySubscribe(room)) {
            deny(ack, "presence", "not allowed to see who is in " + room);
            return;
        }
        List<Map<String, Object>> members = new ArrayList<>();
        for (Socket s : namespace.sockets().values()) {
            if (members.size() >= MAX_PRESENCE) {
                break;
            }
            if (s.rooms().contains(room)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", s.id());
                Object user = s.data().get(dev.switchboard.server.auth.SocketAuthenticator.USER_ID);
                if (user != null) {
                    m.put("user", user);
                }
                members.add(m);
            }
        }
        Map<String, Object> out = ok(room);
        out.put("members", members);
        ack.send(out);
    }

    private void history(Permissions permissions, List<Object> args, Ack ack) {
        Map<?, ?> req = !args.isEmpty() && args.get(0) instanceof Map<?, ?> m ? m : Map.of("room", args.isEmpty() ? "" : args.get(0));
        String room = room(List.of(req.get("room") == null ? "" : req.get("room")));
        if (room == null || reserved(room) || !permissions.maySubscribe(room)) {
            deny(ack, "history", "not allowed to read the history of " + room);
            return;
        }
        if (durable == null || !durable.isDurable(namespace.name(), room)) {
            deny(ack, "history", "room " + room + " is not durable");
            return;
        }
        long from = req.get("from") instanceof Number n ? Math.max(0, n.longValue()) : 0;
        int limit = req.get("limit") instanceof Number n ? (int) Math.max(1, Math.min(DurablePlane.MAX_HISTORY, n.longValue())) : 100;
        durable.historyFrom(namespace.name(), room, from, limit).whenComplete((h, err) -> {
            if (err != null) {
                ack.send(Map.of("error", "history unavailable: " + err.getClass().getSimpleName()));
                return;
            }
            Map<String, Object> out = ok(room);
            out.put("firstOffset", h.firstOffset());
            out.put("nextOffset", h.nextOffset());
            out.put("truncated", h.truncated());
            List<Map<String, Object>> messages = new ArrayList<>();
            for (DurablePlane.HistoryEntry e : h.messages()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("offset", e.offset());
                m.put("recoveryOffset", e.recoveryOffset());
                m.put("time", e.timeMillis());
                m.put("event", e.event());
                m.put("args", e.args());
                messages.add(m);
            }
            out.put("messages", messages);
            ack.send(out);
        });
    }

    /** A socket's own room (its id) is never anyone else's to join or read. */
    private boolean reserved(String room) {
        return namespace.socket(room) != null;
    }

    /** The recovery position of a subscribe: {@code {room, offset}}, the offset as text or a number; else null. */
    private static String offset(List<Object> args) {
        Object a = args.isEmpty() ? null : args.get(0);
        Object o = a instanceof Map<?, ?> m ? m.get("offset") : null;
        if (o instanceof String s && !s.isEmpty() && s.length() <= 20) {
            return s;
        }
        return o instanceof Number n ? Long.toString(n.longValue()) : null;
    }

    private static String room(List<Object> args) {
        Object a = args.isEmpty() ? null : args.get(0);
        if (a instanceof Map<?, ?> m) {
            a = m.get("room");
        }
        return a instanceof String s && !s.isEmpty() && s.length() <= MAX_ROOM_LENGTH ? s : null;
    }

    private static Map<String, Object> ok(String room) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("room", room);
        return out;
    }

    private void deny(Ack ack, String action, String reason) {
        Counter.builder("switchboard.managed.denied")
                .description("switchboard: protocol requests refused, by action")
                .tag("action", action)
                .register(registry)
                .increment();
        ack.send(Map.of("error", reason));
    }
}
