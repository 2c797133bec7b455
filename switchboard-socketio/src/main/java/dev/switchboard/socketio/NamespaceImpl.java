package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import dev.switchboard.core.routing.RequestType;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.socketio.protocol.Packet;
import dev.switchboard.socketio.protocol.PacketEncoder;
import dev.switchboard.socketio.recovery.RecoveryBackend;
import dev.switchboard.socketio.protocol.PacketType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace: its sockets (by id, of this node), middleware, connection listeners, and its space
 * in the Router (the space is the namespace name; each room is a topic of it). Thread-safe: sockets of
 * several event loops join and leave concurrently.
 */
final class NamespaceImpl implements Namespace, BroadcastingTarget {

    private static final Logger log = LoggerFactory.getLogger(NamespaceImpl.class);

    private final SocketIoRuntime runtime;
    private final String name;
    private final Consumer<NamespaceImpl> onEmpty;
    private final List<Middleware> middlewares = new CopyOnWriteArrayList<>();
    private final List<Consumer<Socket>> connectionListeners = new CopyOnWriteArrayList<>();
    private final Map<String, SocketImpl> sockets = new ConcurrentHashMap<>();
    private final AtomicLong ackIds = new AtomicLong();
    private final RecoveryBackend sessions;
    private final NamespaceCluster cluster;

    /**
     * @param onEmpty called when the last socket left (dynamic child namespaces with cleanup on), or null
     */
    NamespaceImpl(SocketIoRuntime runtime, String name, Consumer<NamespaceImpl> onEmpty) {
        this.runtime = runtime;
        this.name = name;
        this.onEmpty = onEmpty;
        this.sessions = runtime.config().recovery()
                .map(r -> r.backend().create(name, r.maxDisconnectionDuration().toMillis(), r.maxStoredPackets()))
                .orElse(null);
        this.cluster = new NamespaceCluster(this, runtime);
    }

    /** A child of a dynamic parent: starts with the parent's middleware and listeners, as socket.io does. */
    void inherit(List<Middleware> parentMiddlewares, List<Consumer<Socket>> parentListeners) {
        middlewares.addAll(parentMiddlewares);
        connectionListeners.addAll(parentListeners);
    }

    @Override
    public SocketIoRuntime runtime() {
        return runtime;
    }

    RecoveryBackend sessions() {
        return sessions;
    }

    long nextAckId() {
        return ackIds.getAndIncrement();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Namespace use(Middleware middleware) {
        middlewares.add(java.util.Objects.requireNonNull(middleware, "middleware"));
        return this;
    }

    @Override
    public Namespace on(String event, Consumer<Socket> listener) {
        if (!"connection".equals(event) && !"connect".equals(event)) {
            throw new IllegalArgumentException("a namespace emits 'connection' (alias 'connect'), not '" + event + "'");
        }
        connectionListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    @Override
    public Map<String, Socket> sockets() {
        return Map.copyOf(sockets);
    }

    @Override
    public Socket socket(String id) {
        return sockets.get(id);
    }

    @Override
    public Map<String, Integer> rooms() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String room : runtime.router().rooms(name)) {
            int n = runtime.router().resolve(target(Set.of(room), Set.of())).size();
            if (n > 0) {
                out.put(room, n);
            }
        }
        return out;
    }

    @Override
    public Collection<Namespace> children() {
        return List.of();
    }

    // ---- connection of a new socket (on the client's event loop) ----

    /**
     * socket.io Namespace._add: restore or create the socket, run middleware, then connect it. A restore
     * asks the recovery backend (which may read from disk) and continues on the client's event loop.
     */
    void add(Client client, JsonNode authNode) {
        Map<String, Object> auth = toAuth(authNode);
        if (sessions != null && authNode != null) {
            JsonNode pid = authNode.get("pid");
            JsonNode offset = authNode.get("offset");
            if (pid != null && pid.isTextual() && offset != null && offset.isTextual()) {
                sessions.restore(pid.textValue(), offset.textValue()).whenComplete((outcome, err) -> {
                    RecoveryBackend.Outcome o = outcome == null ? RecoveryBackend.Outcome.none() : outcome;
                    if (err != null) {
                        log.warn("namespace {}: restoring a session failed: {}", name, err.toString());
                    }
                    Runnable proceed = () -> addRestored(client, auth, o);
                    if (client.engineSocket().eventLoop().inEventLoop()) {
                        proceed.run();
                    } else {
                        Client.execute(client.engineSocket().eventLoop(), proceed);
                    }
                });
                return;
            }
        }
        addRestored(client, auth, RecoveryBackend.Outcome.none());
    }

    private void addRestored(Client client, Map<String, Object> auth, RecoveryBackend.Outcome outcome) {
        SocketImpl s = new SocketImpl(this, client, auth, outcome.restored());
        if (outcome.truncation() != null) {
            s.afterConnect(() -> s.emit(RecoveryBackend.HISTORY_TRUNCATED, outcome.truncation()));
        }
        boolean skip = s.recovered() && runtime.config().recovery().get().skipMiddlewares();
        Middleware authenticator = runtime.config().authenticator().orElse(null);
        List<Middleware> chain;
        if (authenticator == null) {
            chain = skip ? List.of() : middlewares;
        } else {
            // The server's authenticator runs even when recovery skips the namespace's own middleware.
            chain = new ArrayList<>(1 + (skip ? 0 : middlewares.size()));
            chain.add(authenticator);
            if (!skip) {
                chain.addAll(middlewares);
            }
        }
        runMiddlewares(s, chain, 0);
    }

    private void runMiddlewares(SocketImpl socket, List<Middleware> chain, int index) {
        if (index == chain.size()) {
            if (socket.client().isOpen()) {
                doConnect(socket);
            } else {
                socket.client().connectFailed(name);
            }
            return;
        }
        Middleware m = chain.get(index);
        Middleware.Next next = new Middleware.Next() {
            private boolean called;

            @Override
            public void proceed() {
                onLoop(() -> {
                    if (!called) {
                        called = true;
                        runMiddlewares(socket, chain, index + 1);
                    }
                });
            }

            @Override
            public void reject(String message, Object data) {
                onLoop(() -> {
                    if (!called) {
                        called = true;
                        refuse(socket, message, data);
                    }
                });
            }

            private void onLoop(Runnable r) {
                if (socket.executor().inEventLoop()) {
                    r.run();
                } else {
                    Client.execute(socket.executor(), r);
                }
            }
        };
        try {
            m.handle(socket, next);
        } catch (Exception e) {
            next.reject(e);
        }
    }

    private void refuse(SocketImpl socket, String message, Object data) {
        Client client = socket.client();
        client.connectFailed(name);
        if (!client.isOpen()) {
            return;
        }
        runtime.metrics().handshakeFailed("middleware");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message == null ? "" : message);
        if (data != null) {
            body.put("data", data);
        }
        client.send(Packet.of(PacketType.CONNECT_ERROR, name, runtime.payloads().toTree(body)), false);
    }

    private void doConnect(SocketImpl socket) {
        Client client = socket.client();
        if (!client.isOpen()) {
            client.connectFailed(name);
            return;
        }
        sockets.put(socket.id(), socket);
        client.connected(name, socket);
        socket.onConnect();
        runtime.metrics().connected(name);
        for (Consumer<Socket> l : connectionListeners) {
            try {
                l.accept(socket);
            } catch (RuntimeException e) {
                log.warn("connection listener of namespace {} failed for socket {}: {}", name, socket.id(), e.toString());
            }
        }
    }

    void remove(SocketImpl socket) {
        if (sockets.remove(socket.id(), socket) && sockets.isEmpty() && onEmpty != null) {
            onEmpty.accept(this);
        }
    }

    private Map<String, Object> toAuth(JsonNode authNode) {
        if (authNode == null || !authNode.isObject()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) runtime.payloads().toJava(authNode);
        return java.util.Collections.unmodifiableMap(m);
    }

    // ---- broadcasting (any thread; the operator methods are BroadcastingTarget's) ----

    /**
     * Publishes an EVENT through the Router, encoded once. With recovery on, an eligible event (this
     * path never carries an ack id) that is not volatile gets its offset appended and is kept for replay.
     */
    @Override
    public CompletionStage<Void> broadcast(ArrayNode data, BroadcastFlags flags) {
        if (sessions != null && !flags.isVolatile()) {
            MessageId id = MessageId.random();
            CompletionStage<Void> kept = sessions.append(data, flags.rooms(), flags.except(), id);
            CompletableFuture<Void> done = kept.toCompletableFuture();
            if (done.isDone() && !done.isCompletedExceptionally()) {
                publishNow(data, flags, id); // in-memory backend: delivered on the caller's thread
                return kept;
            }
            // Kept on disk first (durable room): delivered once stored, carrying its offset. The backend
            // completes in append order, so the delivery order is the offset order.
            CompletionStage<Void> delivered = kept.thenRun(() -> publishNow(data, flags, id));
            delivered.whenComplete((v, e) -> {
                if (e != null) {
                    // emit() callers do not look at the stage: the operator must hear of it.
                    log.warn("namespace {}: event to rooms {} not stored, so not delivered: {}", name, flags.rooms(),
                            e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
                }
            });
            return delivered;
        }
        runtime.router().publish(runtime.message(name, data, flags));
        return DONE;
    }

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private void publishNow(ArrayNode data, BroadcastFlags flags, MessageId id) {
        Message m = runtime.message(name, data, flags, id);
        long position = storedPosition(data);
        runtime.router().publish(position == Message.NO_POSITION ? m : m.toBuilder().position(position).build());
    }

    /**
     * Keeps a message from outside (a bridge) as {@link #broadcast} keeps an event emitted here, without
     * routing it: with recovery on and the message eligible, the backend appends it under its own id
     * (durable rooms: to their streams, before anything is routed) and the message comes back with the
     * offset as its last argument and, when the offset is a stream position, that position.
     */
    CompletionStage<Message> keep(Message m) {
        if (sessions == null || m.isVolatile() || m.ackId() != Message.NO_ACK) {
            return CompletableFuture.completedFuture(m);
        }
        ArrayNode data;
        try {
            data = runtime.payloads().eventData(m.event(), m.arguments(), m.attachmentsCopy());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sessions.append(data, m.rooms(), m.exceptRooms(), m.id()).thenApply(v -> {
            PacketEncoder.EventParts parts = runtime.encoder().eventParts(data);
            Message.Builder b = m.toBuilder().arguments(parts.arguments()).attachments(parts.attachments());
            long position = storedPosition(data);
            return (position == Message.NO_POSITION ? b : b.position(position)).build();
        });
    }

    /**
     * The stream position an event's offset (its last argument) is, or {@code NO_POSITION}: durable
     * backends give positions of the namespace's sequence stream (decimal), the in-memory one message
     * ids (26 characters, never a position).
     */
    private static long storedPosition(ArrayNode data) {
        String offset = data.get(data.size() - 1).asText();
        if (offset.isEmpty() || offset.length() > 18) {
            return Message.NO_POSITION;
        }
        for (int i = 0; i < offset.length(); i++) {
            if (offset.charAt(i) < '0' || offset.charAt(i) > '9') {
                return Message.NO_POSITION;
            }
        }
        return Long.parseLong(offset);
    }

    /**
     * A broadcast of another node is about to be delivered here (the backplane's thread): with recovery
     * on, an event that carries its message id as its offset (what the in-memory backend gives) is kept
     * by this namespace's backend too, so this node's sockets can recover it. Offsets of a shared store
     * (durable rooms) are not message ids: their events are read back from the store instead.
     */
    void arrived(Message m) {
        if (sessions == null || m.isVolatile() || m.ackId() != Message.NO_ACK) {
            return;
        }
        String offset = m.id().toString();
        if (!endsWithString(m.arguments(), offset)) {
            return;
        }
        sessions.arrived(offset, () -> runtime.payloads().eventData(m.event(), m.arguments(), m.attachmentsCopy()),
                m.rooms(), m.exceptRooms());
    }

    /** Whether the JSON array {@code args} ends with the string {@code "s"} as its last element. */
    static boolean endsWithString(java.nio.ByteBuffer args, String s) {
        int end = args.limit() - 1; // the closing bracket
        int start = end - s.length() - 2;
        if (start < 1 || args.get(end) != ']' || args.get(start) != '"' || args.get(end - 1) != '"'
                || (args.get(start - 1) != ',' && args.get(start - 1) != '[')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (args.get(start + 1 + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Broadcast with acknowledgements (socket.io-adapter broadcastWithAck), through the Router like any
     * broadcast: it gives the packet one ack id per node, hands each target a sink that its socket
     * registers before its copy is written, and counts the targets and answers of every node.
     */
    @Override
    public CompletableFuture<BroadcastAcks> broadcastWithAck(ArrayNode data, BroadcastFlags flags) {
        return runtime.router().publishWithAck(runtime.message(name, data, flags), flags.timeout())
                .toCompletableFuture()
                .thenApply(r -> {
                    List<Object> responses = new ArrayList<>(r.responses().size());
                    for (byte[] json : r.responses()) {
                        responses.add(runtime.payloads().fromJson(json));
                    }
                    if (!r.complete()) {
                        throw new java.util.concurrent.CompletionException(new AckTimeoutException(responses));
                    }
                    return new BroadcastAcks(r.expected(), responses);
                });
    }

    @Override
    public List<Socket> matching(BroadcastFlags flags) {
        return List.copyOf(matchingImpl(flags));
    }

    private List<SocketImpl> matchingImpl(BroadcastFlags flags) {
        Set<Subscriber> subs = runtime.router().resolve(target(flags.rooms(), flags.except()));
        List<SocketImpl> out = new ArrayList<>(subs.size());
        for (Subscriber s : subs) {
            if (s instanceof SocketImpl && ((SocketImpl) s).namespaceImpl() == this) {
                out.add((SocketImpl) s);
            }
        }
        return out;
    }

    @Override
    public void forward(RequestType type, BroadcastFlags flags, Object... args) {
        cluster.forward(type, flags, args);
    }

    @Override
    public CompletableFuture<List<RemoteSocket>> fetchAllSockets(BroadcastFlags flags) {
        return cluster.fetchAllSockets(flags);
    }

    @Override
    public void serverSideEmit(String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        cluster.serverSideEmit(event, args);
    }

    @Override
    public CompletableFuture<List<Object>> serverSideEmitWithAck(Duration timeout, String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        return cluster.serverSideEmitWithAck(timeout, event, args);
    }

    @Override
    public Namespace onServerSideEmit(String event, EventListener listener) {
        cluster.onServerSideEmit(java.util.Objects.requireNonNull(event, "event"),
                java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** A message that only addresses (for {@code resolve}); never published. */
    private Message target(Set<String> rooms, Set<String> except) {
        return Message.builder(name, "").rooms(rooms).exceptRooms(except).local(true).build();
    }

    /** On server close: every socket leaves with {@code server shutting down}. */
    void closeAll() {
        for (SocketImpl s : sockets.values()) {
            s.closeFromServer(DisconnectReason.SERVER_SHUTTING_DOWN);
        }
    }

    /** Before a socket subscribes to rooms (so that a restore does not replay what came before the join). */
    void joining(SocketImpl s, Collection<String> rooms) {
        if (sessions != null && s.pid() != null && !rooms.isEmpty()) {
            sessions.joining(s.pid(), rooms);
        }
    }

    /** A connected socket's recoverable state changed (connect, join, leave). */
    void track(SocketImpl s) {
        if (sessions != null && s.pid() != null) {
            sessions.track(s.id(), s.pid(), s.rooms(), s.dataSnapshot());
        }
    }

    @Override
    public String toString() {
        return "Namespace[" + name + ']';
    }
}
