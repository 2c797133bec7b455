package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.RequestHandler;
import dev.switchboard.core.routing.RequestResult;
import dev.switchboard.core.routing.RequestType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace's part in the cluster (socket.io-adapter's ClusterAdapter requests): what it asks the
 * other nodes (socketsJoin/Leave, disconnectSockets, fetchSockets, serverSideEmit) and how it answers
 * theirs, through the Router's request/reply over the backplane. On a node alone every request is a
 * no-op that completes at once.
 *
 * <p>A request is a fabric {@code Message} of this namespace: its rooms and except rooms select the
 * sockets, its arguments carry the operation's values (rooms to join, the {@code close} flag, a
 * server-side event's arguments). Replies are JSON: a list of socket descriptions, or the first argument
 * of a server-side listener's answer.
 *
 * <p>Threading: requests from other nodes are answered on the backplane's receiving thread; socket
 * operations there are the thread-safe ones of {@link Socket}; server-side listeners run there too
 * (they must not block).
 */
final class NamespaceCluster implements RequestHandler {

    private static final Logger log = LoggerFactory.getLogger(NamespaceCluster.class);

    /** socket.io's default for cluster requests (its {@code requestsTimeout}). */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final NamespaceImpl nsp;
    private final SocketIoRuntime runtime;
    private final Map<String, List<EventListener>> serverSideListeners = new ConcurrentHashMap<>();

    NamespaceCluster(NamespaceImpl nsp, SocketIoRuntime runtime) {
        this.nsp = nsp;
        this.runtime = runtime;
        runtime.router().handle(nsp.name(), this);
    }

    // ---- asking the other nodes ----

    /** socketsJoin / socketsLeave / disconnectSockets on the other nodes (this node's part is the caller's). */
    void forward(RequestType type, BroadcastFlags flags, Object... args) {
        if (!flags.local()) {
            runtime.router().request(type, request(flags, type.name(), args), null);
        }
    }

    /** The matching sockets of every node: this node's at once, the others' when they answered. */
    CompletableFuture<List<RemoteSocket>> fetchAllSockets(BroadcastFlags flags) {
        List<RemoteSocket> all = new ArrayList<>();
        for (Socket s : nsp.matching(flags)) {
            all.add(describe(s));
        }
        if (flags.local()) {
            return CompletableFuture.completedFuture(all);
        }
        Duration timeout = flags.timeout() != null ? flags.timeout() : DEFAULT_REQUEST_TIMEOUT;
        return runtime.router().request(RequestType.FETCH_SOCKETS, request(flags, "fetch"), timeout)
                .toCompletableFuture().thenApply(r -> {
                    if (!r.complete()) {
                        log.warn("namespace {}: fetchSockets got {} of {} nodes' answers in {}", nsp.name(),
                                r.replies().size(), r.expected(), timeout);
                    }
                    for (byte[] reply : r.replies()) {
                        all.addAll(readSockets(reply));
                    }
                    return all;
                });
    }

    void serverSideEmit(String event, Object[] args) {
        runtime.router().request(RequestType.SERVER_SIDE_EMIT, event(event, args), null);
    }

    /** Each other server's answer (the first argument its listener acknowledged with). */
    CompletableFuture<List<Object>> serverSideEmitWithAck(Duration timeout, String event, Object[] args) {
        return runtime.router().request(RequestType.SERVER_SIDE_EMIT, event(event, args), timeout)
                .toCompletableFuture().thenApply(r -> answers(r));
    }

    void onServerSideEmit(String event, EventListener listener) {
        serverSideListeners.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).add(listener);
    }

    private List<Object> answers(RequestResult r) {
        List<Object> out = new ArrayList<>();
        for (byte[] reply : r.replies()) {
            out.add(runtime.payloads().fromJson(reply));
        }
        if (!r.complete()) {
            throw new CompletionException(new AckTimeoutException(out));
        }
        return out;
    }

    private Message request(BroadcastFlags flags, String what, Object... args) {
        return Message.builder(nsp.name(), what).rooms(flags.rooms()).exceptRooms(flags.except())
                .arguments(runtime.payloads().toJson(List.of(args))).origin("", SocketIoRuntime.PROTOCOL).build();
    }

    private Message event(String event, Object[] args) {
        return runtime.message(nsp.name(), runtime.payloads().eventData(event, args), BroadcastFlags.ALL);
    }

    // ---- answering them (the backplane's thread) ----

    @Override
    public void arrived(Message broadcast) {
        nsp.arrived(broadcast);
    }

    @Override
    public CompletionStage<byte[]> handle(RequestType type, Message request, boolean replyWanted) {
        BroadcastFlags flags = new BroadcastFlags(request.rooms(), request.exceptRooms(), false, true, null);
        List<Object> args = arguments(request);
        switch (type) {
            case SOCKETS_JOIN -> {
                String[] rooms = strings(args);
                nsp.matching(flags).forEach(s -> s.join(rooms));
            }
            case SOCKETS_LEAVE -> {
                String[] rooms = strings(args);
                nsp.matching(flags).forEach(s -> {
                    for (String r : rooms) {
                        s.leave(r);
                    }
                });
            }
            case DISCONNECT_SOCKETS -> {
                boolean close = !args.isEmpty() && Boolean.TRUE.equals(args.get(0));
                nsp.matching(flags).forEach(s -> s.disconnect(close));
            }
            case FETCH_SOCKETS -> {
                List<Map<String, Object>> out = new ArrayList<>();
                for (Socket s : nsp.matching(flags)) {
                    out.add(toMap(describe(s)));
                }
                return CompletableFuture.completedFuture(runtime.payloads().toJson(out));
            }
            case SERVER_SIDE_EMIT -> {
                return serverSideEvent(request.event(), args, replyWanted);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private CompletionStage<byte[]> serverSideEvent(String event, List<Object> args, boolean replyWanted) {
        List<EventListener> listeners = serverSideListeners.getOrDefault(event, List.of());
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        AtomicBoolean sent = new AtomicBoolean();
        Ack ack = new Ack() {
            @Override
            public boolean requested() {
                return replyWanted;
            }

            @Override
            public void send(Object... answer) {
                if (replyWanted && sent.compareAndSet(false, true)) {
                    reply.complete(answer.length == 0 || answer[0] == null ? null : runtime.payloads().toJson(answer[0]));
                }
            }
        };
        for (EventListener l : listeners) {
            try {
                l.onEvent(args, ack);
            } catch (Exception e) {
                log.warn("server-side listener for event '{}' of namespace {} threw: {}", event, nsp.name(), e.toString());
            }
        }
        if (listeners.isEmpty() || !replyWanted) {
            reply.complete(null); // nobody here answers: the requester should not wait for this node
        }
        return reply;
    }

    private List<Object> arguments(Message m) {
        try {
            JsonNode node = runtime.payloads().mapper().readTree(m.argumentsJson());
            return node instanceof ArrayNode ? runtime.payloads().toJava(node, 0) : List.of();
        } catch (java.io.IOException e) {
            log.warn("namespace {}: request with unreadable arguments dropped: {}", nsp.name(), e.getMessage());
            return List.of();
        }
    }

    private static String[] strings(List<Object> args) {
        return args.stream().filter(String.class::isInstance).toArray(String[]::new);
    }

    private RemoteSocket describe(Socket s) {
        return new RemoteSocket(s.id(), nsp.name(), s.rooms(), jsonSafe(s.data()), runtime.router().nodeId());
    }

    /** The data as JSON values (what another node would read back); empty when it does not serialise. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> jsonSafe(Map<String, Object> data) {
        try {
            return (Map<String, Object>) runtime.payloads().fromJson(runtime.payloads().toJson(data));
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static Map<String, Object> toMap(RemoteSocket s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("rooms", List.copyOf(s.rooms()));
        m.put("data", s.data());
        m.put("node", s.nodeId());
        return m;
    }

    @SuppressWarnings("unchecked")
    private List<RemoteSocket> readSockets(byte[] reply) {
        if (reply == null) {
            return List.of();
        }
        List<RemoteSocket> out = new ArrayList<>();
        try {
            for (Object o : (List<Object>) runtime.payloads().fromJson(reply)) {
                Map<String, Object> m = (Map<String, Object>) o;
                out.add(new RemoteSocket((String) m.get("id"), nsp.name(), Set.copyOf((List<String>) m.get("rooms")),
                        (Map<String, Object>) m.get("data"), (String) m.get("node")));
            }
        } catch (RuntimeException e) {
            log.warn("namespace {}: unreadable fetchSockets answer dropped: {}", nsp.name(), e.toString());
        }
        return out;
    }
}
