package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.engineio.EngineSocket;
import dev.switchboard.socketio.recovery.RecoveryBackend;
import dev.switchboard.socketio.protocol.Packet;
import dev.switchboard.socketio.protocol.PacketType;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket: one client in one namespace, and that client's {@link Subscriber} in the Router (space =
 * namespace name; it is attached to the space and subscribed to its own id as a room).
 *
 * <p>States: created (middleware running) → connected ({@link #onConnect}) → closed ({@link #onClose},
 * once). Threading: state changes happen on the Engine.IO session's event loop; {@code connected} is
 * volatile so other threads can read it. Pending acknowledgements ({@code acks}) are loop-confined.
 * Listener lists are copy-on-write so they may be changed from any thread.
 */
final class SocketImpl implements Socket, Subscriber {

    private static final Logger log = LoggerFactory.getLogger(SocketImpl.class);

    private static final Ack NO_ACK = new Ack() {
        @Override
        public boolean requested() {
            return false;
        }

        @Override
        public void send(Object... args) {}
    };

    private final NamespaceImpl nsp;
    private final Client client;
    private final SocketIoRuntime runtime;
    private final String id;
    private final String pid;
    private final Handshake handshake;
    private final Map<String, Object> data = new ConcurrentHashMap<>();
    private final boolean recovered;
    private final List<ArrayNode> missedPackets;
    private final Set<String> restoredRooms;
    private volatile boolean connected;
    private volatile boolean closed;
    /** Rooms joined by middleware before the socket is connected; subscribed in {@link #onConnect}. */
    private final Set<String> pendingRooms = ConcurrentHashMap.newKeySet();
    /** Tasks run once after {@link #onConnect}. */
    private final List<Runnable> afterConnect = new CowList<>();

    private final Map<String, List<Registration>> listeners = new ConcurrentHashMap<>();
    private final List<AnyListener> anyListeners = new CowList<>();
    private final List<AnyListener> anyOutgoing = new CowList<>();
    private final List<PacketMiddleware> packetMiddlewares = new CowList<>();
    private final List<Consumer<Throwable>> errorListeners = new CowList<>();
    private final List<Consumer<DisconnectReason>> disconnectingListeners = new CowList<>();
    private final List<Consumer<DisconnectReason>> disconnectListeners = new CowList<>();
    /** Loop-confined: see {@link #handlerLabel()}. */
    private String handlerLabel;
    /** Loop-confined: acknowledgements asked of the client, by ack id. */
    private final Map<Long, PendingAck> acks = new HashMap<>();

    /** An acknowledgement awaited from the client. */
    private interface PendingAck {
        void acked(List<Object> args);

        /** The socket disconnected first. */
        default void failed(Throwable error) {}
    }

    SocketImpl(NamespaceImpl nsp, Client client, Map<String, Object> auth, RecoveryBackend.Restored restored) {
        this.nsp = nsp;
        this.client = client;
        this.runtime = nsp.runtime();
        this.handshake = buildHandshake(client.engineSocket(), auth);
        if (restored != null) {
            this.id = restored.session().sid();
            this.pid = restored.session().pid();
            this.data.putAll(restored.session().data());
            this.restoredRooms = restored.session().rooms();
            this.missedPackets = restored.missedPackets();
            this.recovered = true;
        } else {
            this.id = SocketIoRuntime.newId();
            this.pid = runtime.recoveryEnabled() ? SocketIoRuntime.newId() : null;
            this.restoredRooms = Set.of();
            this.missedPackets = List.of();
            this.recovered = false;
        }
    }

    /** JavaScript's {@code Date.prototype.toString()}, which socket.io puts in {@code handshake.time}. */
    private static final DateTimeFormatter JS_DATE =
            DateTimeFormatter.ofPattern("EEE MMM dd yyyy HH:mm:ss 'GMT'xx '('zzzz')'", java.util.Locale.US);

    /** The last {@code handshake.time} text made and its second; see {@link #jsTime}. */
    private static volatile JsTime lastJsTime;

    private record JsTime(long epochSecond, String text) {}

    /**
     * {@link #JS_DATE} of the given instant. The text has a resolution of one second, so every socket
     * made within the same second shares one String instead of formatting its own (issue 7: heap per
     * idle connection, and formatting work per connect). Any thread; a race only formats twice.
     */
    static String jsTime(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000L);
        JsTime t = lastJsTime;
        if (t == null || t.epochSecond() != second) {
            t = new JsTime(second, JS_DATE.format(ZonedDateTime.ofInstant(
                    java.time.Instant.ofEpochSecond(second), java.time.ZoneId.systemDefault())));
            lastJsTime = t;
        }
        return t.text();
    }

    private static Handshake buildHandshake(EngineSocket conn, Map<String, Object> auth) {
        dev.switchboard.engineio.Handshake h = conn.handshake();
        String address = h.remoteAddress() instanceof java.net.InetSocketAddress
                ? ((java.net.InetSocketAddress) h.remoteAddress()).getAddress().getHostAddress()
                : String.valueOf(h.remoteAddress());
        long now = System.currentTimeMillis();
        String time = jsTime(now);
        return new Handshake(h.headers(), time, address, h.headers().contains("origin"), h.secure(), now, h.url(),
                h.query(), auth);
    }

    NamespaceImpl namespaceImpl() {
        return nsp;
    }

    Client client() {
        return client;
    }

    // ---- Socket ----

    @Override
    public String id() {
        return id;
    }

    @Override
    public String namespace() {
        return nsp.name();
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public String transport() {
        return client.engineSocket().transport().protocolName();
    }

    @Override
    public boolean recovered() {
        return recovered;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public Map<String, Object> data() {
        return data;
    }

    @Override
    public Set<String> rooms() {
        if (!connected && !closed) {
            return Set.copyOf(pendingRooms);
        }
        return runtime.router().roomsOf(nsp.name(), this);
    }

    @Override
    public void join(String... rooms) {
        if (!connected && !closed) {
            pendingRooms.addAll(List.of(rooms));
            return;
        }
        nsp.joining(this, List.of(rooms));
        for (String room : rooms) {
            if (!connected) {
                return;
            }
            runtime.router().subscribe(nsp.name(), room, this);
        }
        if (!connected) {
            // Raced with onClose on the loop: make sure nothing stays subscribed.
            runtime.router().detach(nsp.name(), this);
            return;
        }
        nsp.track(this);
    }

    @Override
    public void leave(String room) {
        pendingRooms.remove(room);
        runtime.router().unsubscribe(nsp.name(), room, this);
        if (connected) {
            nsp.track(this);
        }
    }

    /** The private session id ({@code pid}), null when recovery is off. */
    String pid() {
        return pid;
    }

    Map<String, Object> dataSnapshot() {
        return Map.copyOf(data);
    }

    /** Runs {@code task} on the loop right after the CONNECT reply and the replay (e.g. a notice to the client). */
    void afterConnect(Runnable task) {
        afterConnect.add(task);
    }

    @Override
    public void emit(String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        ArrayNode payload = runtime.payloads().eventData(event, args);
        if (runtime.recoveryEnabled()) {
            // As socket.io: with recovery on, emits go through the broadcast path so they get an offset
            // and are kept for replay.
            nsp.broadcast(payload, BroadcastFlags.ALL.to(id));
            return;
        }
        notifyOutgoing(payload);
        client.send(Packet.of(PacketType.EVENT, nsp.name(), payload), false);
    }

    @Override
    public void emitVolatile(String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        ArrayNode payload = runtime.payloads().eventData(event, args);
        notifyOutgoing(payload);
        client.send(Packet.of(PacketType.EVENT, nsp.name(), payload), true);
    }

    @Override
    public CompletableFuture<List<Object>> emitWithAck(Duration timeout, String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        ArrayNode payload = runtime.payloads().eventData(event, args);
        long ackId = nsp.nextAckId();
        CompletableFuture<List<Object>> result = new CompletableFuture<>();
        onLoop(() -> {
            if (!connected) {
                result.completeExceptionally(new SocketIoException("socket has been disconnected"));
                return;
            }
            ScheduledFuture<?> timer = executor().schedule(() -> {
                acks.remove(ackId);
                result.completeExceptionally(new AckTimeoutException(List.of()));
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            acks.put(ackId, new PendingAck() {
                @Override
                public void acked(List<Object> ackArgs) {
                    timer.cancel(false);
                    result.complete(ackArgs);
                }

                @Override
                public void failed(Throwable error) {
                    timer.cancel(false);
                    result.completeExceptionally(error);
                }
            });
            notifyOutgoing(payload);
            client.send(new Packet(PacketType.EVENT, nsp.name(), ackId, payload), false);
        });
        return result;
    }

    @Override
    public BroadcastOperator broadcast() {
        return new BroadcastOperatorImpl(nsp, BroadcastFlags.ALL.except(id));
    }

    @Override
    public BroadcastOperator to(String... rooms) {
        return new BroadcastOperatorImpl(nsp, BroadcastFlags.ALL.except(id).to(rooms));
    }

    @Override
    public Socket on(String event, EventListener listener) {
        return register(event, new Registration(listener, false, (d, args, ack) -> listener.onEvent(args.get(), ack)));
    }

    @Override
    public <T> Socket on(String event, Class<T> type, TypedEventListener<T> listener) {
        return register(event, new Registration(listener, false,
                (d, args, ack) -> listener.onEvent(runtime.payloads().convert(d.get(1), type), ack)));
    }

    @Override
    public Socket once(String event, EventListener listener) {
        return register(event, new Registration(listener, true, (d, args, ack) -> listener.onEvent(args.get(), ack)));
    }

    @Override
    public Socket onBlocking(String event, EventListener listener) {
        Registration r = new Registration(listener, false, (d, args, ack) -> listener.onEvent(args.get(), ack));
        r.blocking = true;
        return register(event, r);
    }

    private Socket register(String event, Registration r) {
        listeners.computeIfAbsent(event, e -> new CowList<>()).add(r);
        return this;
    }

    @Override
    public Socket off(String event, EventListener listener) {
        List<Registration> regs = listeners.get(event);
        if (regs != null) {
            for (Registration r : regs) {
                if (r.key == listener) {
                    regs.remove(r);
                    break;
                }
            }
        }
        return this;
    }

    @Override
    public Socket off(String event) {
        listeners.remove(event);
        return this;
    }

    @Override
    public Socket onAny(AnyListener listener) {
        anyListeners.add(listener);
        return this;
    }

    @Override
    public Socket offAny(AnyListener listener) {
        anyListeners.remove(listener);
        return this;
    }

    @Override
    public Socket onAnyOutgoing(AnyListener listener) {
        anyOutgoing.add(listener);
        return this;
    }

    @Override
    public Socket offAnyOutgoing(AnyListener listener) {
        anyOutgoing.remove(listener);
        return this;
    }

    @Override
    public Socket use(PacketMiddleware middleware) {
        packetMiddlewares.add(middleware);
        return this;
    }

    @Override
    public Socket onError(Consumer<Throwable> listener) {
        errorListeners.add(listener);
        return this;
    }

    @Override
    public Socket onDisconnecting(Consumer<DisconnectReason> listener) {
        disconnectingListeners.add(listener);
        return this;
    }

    @Override
    public Socket onDisconnect(Consumer<DisconnectReason> listener) {
        disconnectListeners.add(listener);
        return this;
    }

    @Override
    public void disconnect(boolean close) {
        onLoop(() -> {
            if (!connected) {
                return;
            }
            if (close) {
                client.disconnectAll();
            } else {
                client.send(Packet.of(PacketType.DISCONNECT, nsp.name(), null), false);
                onClose(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
                client.removed(this);
            }
        });
    }

    // ---- lifecycle (event loop) ----

    /** socket.io Socket._onconnect: join own room (and restored rooms), send CONNECT, replay missed events. */
    void onConnect() {
        connected = true;
        runtime.router().attach(nsp.name(), this);
        runtime.router().subscribe(nsp.name(), id, this);
        for (String room : restoredRooms) {
            runtime.router().subscribe(nsp.name(), room, this);
        }
        nsp.joining(this, pendingRooms);
        for (String room : pendingRooms) {
            runtime.router().subscribe(nsp.name(), room, this);
        }
        pendingRooms.clear();
        ObjectNode reply = JsonNodeFactory.instance.objectNode();
        reply.put("sid", id);
        if (pid != null) {
            reply.put("pid", pid);
        }
        client.send(Packet.of(PacketType.CONNECT, nsp.name(), reply), false);
        for (ArrayNode missed : missedPackets) {
            client.send(Packet.of(PacketType.EVENT, nsp.name(), missed), false);
        }
        nsp.track(this);
        for (Runnable task : afterConnect) { // iterates a snapshot; CowList has no clear()
            afterConnect.remove(task);
            task.run();
        }
    }

    /** A decoded packet for this namespace (not CONNECT / CONNECT_ERROR). */
    void onPacket(Packet packet) {
        switch (packet.type()) {
            case EVENT:
                onEvent(packet);
                break;
            case ACK:
                PendingAck ack = acks.remove(packet.id());
                if (ack != null) {
                    ack.acked(runtime.payloads().toJava(packet.data(), 0));
                }
                break;
            case DISCONNECT:
                onClose(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
                client.removed(this);
                break;
            default:
                break;
        }
    }

    private void onEvent(Packet packet) {
        JsonNode d = packet.data();
        String event = d.get(0).asText();
        LazyArgs args = new LazyArgs(d);
        Ack ack = packet.hasId() ? new AckImpl(packet.id()) : NO_ACK;
        for (AnyListener l : anyListeners) {
            // A failing onAny listener does not stop the event (as socket.io), so no error ack here:
            // the event's listeners may still answer.
            runtime.handlers().inline(handlerLabel(), event, () -> l.onAny(event, args.get()), this::handlerFailed);
        }
        runPacketMiddlewares(0, event, d, args, ack);
    }

    private void runPacketMiddlewares(int index, String event, JsonNode d, LazyArgs args, Ack ack) {
        if (index == packetMiddlewares.size()) {
            dispatch(event, d, args, ack);
            return;
        }
        final class PacketNext implements Middleware.Next {
            private boolean called;

            /** Loop: takes the one outcome of this step for a thrown exception; false if already decided. */
            boolean claim() {
                boolean first = !called;
                called = true;
                return first;
            }

            @Override
            public void proceed() {
                onLoop(() -> {
                    if (!called && connected) {
                        called = true;
                        runPacketMiddlewares(index + 1, event, d, args, ack);
                    }
                });
            }

            @Override
            public void reject(String message, Object errData) {
                onLoop(() -> {
                    if (!called) {
                        called = true;
                        reportError(new SocketIoException(message, errData));
                    }
                });
            }
        }
        PacketNext next = new PacketNext();
        PacketMiddleware m = packetMiddlewares.get(index);
        runtime.handlers().inline(handlerLabel(), event, () -> m.handle(event, args.get(), next), e -> {
            // Thrown, not rejected: stop the event as a rejection would, and answer the client.
            handlerFailed(e);
            if (next.claim()) {
                runtime.handlers().answerError(ack, event, e);
            }
        });
    }

    private void dispatch(String event, JsonNode d, LazyArgs args, Ack ack) {
        List<Registration> regs = listeners.get(event);
        if (regs == null) {
            return;
        }
        for (Registration r : regs) {
            if (r.once && !regs.remove(r)) {
                continue; // another thread removed it first
            }
            if (r.blocking) {
                args.get(); // convert on the loop; the worker only reads
                runtime.handlers().blocking(handlerLabel(), event, () -> r.invoker.invoke(d, args, ack), executor(),
                        e -> handlerFailed(event, e, ack));
            } else {
                runtime.handlers().inline(handlerLabel(), event, () -> r.invoker.invoke(d, args, ack),
                        e -> handlerFailed(event, e, ack));
            }
        }
    }

    /** A listener failed or was refused (logged by the runner): error listeners, then the error ack. Loop. */
    private void handlerFailed(String event, Throwable e, Ack ack) {
        handlerFailed(e);
        runtime.handlers().answerError(ack, event, e);
    }

    /** Tells the error listeners of a handler failure the runner has already logged. */
    private void handlerFailed(Throwable e) {
        for (Consumer<Throwable> l : errorListeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                log.warn("error listener of socket {} failed: {}", id, ex.toString());
            }
        }
    }

    /**
     * How the handler runner names this socket in its logs: id and namespace. Made on the first event,
     * so idle sockets do not keep it.
     */
    private String handlerLabel() {
        String l = handlerLabel;
        if (l == null) {
            l = id + " (namespace " + nsp.name() + ")";
            handlerLabel = l;
        }
        return l;
    }

    private void reportError(Throwable e) {
        if (errorListeners.isEmpty()) {
            log.warn("socket {} on {}: {}", id, nsp.name(), e.toString());
            return;
        }
        for (Consumer<Throwable> l : errorListeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                log.warn("error listener of socket {} failed: {}", id, ex.toString());
            }
        }
    }

    /**
     * socket.io Socket._onclose: {@code disconnecting} with rooms readable, session kept for recovery when
     * the reason allows it, rooms left, {@code disconnect}. Idempotent. The caller removes it from its client.
     */
    void onClose(DisconnectReason reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (!connected) {
            return;
        }
        for (Consumer<DisconnectReason> l : disconnectingListeners) {
            safely(l, reason);
        }
        if (nsp.sessions() != null && reason.recoverable()) {
            nsp.sessions().persist(id, pid, rooms(), data);
        } else if (nsp.sessions() != null && reason == DisconnectReason.CLIENT_NAMESPACE_DISCONNECT) {
            nsp.sessions().forget(pid);
        }
        connected = false;
        runtime.router().detach(nsp.name(), this);
        nsp.remove(this);
        if (!acks.isEmpty()) {
            SocketIoException gone = new SocketIoException("socket has been disconnected");
            List<PendingAck> pending = List.copyOf(acks.values());
            acks.clear();
            pending.forEach(a -> a.failed(gone));
        }
        runtime.metrics().disconnected(nsp.name(), reason);
        for (Consumer<DisconnectReason> l : disconnectListeners) {
            safely(l, reason);
        }
    }

    private void safely(Consumer<DisconnectReason> l, DisconnectReason reason) {
        try {
            l.accept(reason);
        } catch (RuntimeException e) {
            log.warn("disconnect listener of socket {} failed: {}", id, e.toString());
        }
    }

    /** Server shutdown: leave with {@code reason} without a DISCONNECT packet (the engine closes next). */
    void closeFromServer(DisconnectReason reason) {
        onLoop(() -> {
            onClose(reason);
            client.removed(this);
        });
    }

    // ---- Subscriber (event loop) ----

    @Override
    public EventExecutor executor() {
        return client.engineSocket().eventLoop();
    }

    @Override
    public WireFormat wireFormat() {
        return client.engineSocket().socketWireFormat();
    }

    @Override
    public Delivery deliver(EncodedMessage message, boolean isVolatile) {
        if (!connected) {
            return Delivery.REJECTED;
        }
        if (!anyOutgoing.isEmpty()) {
            notifyOutgoing(OutgoingFrames.eventData(message, runtime));
        }
        // A message encoded for the format the session had before an upgrade is converted by the session.
        return client.engineSocket().write(message, isVolatile);
    }

    @Override
    public void flush() {
        client.engineSocket().flush();
    }

    /** Broadcast with ack: registers the ack, then writes the (retained, released here) message. Any thread. */
    void deliverWithAck(long ackId, EncodedMessage message, boolean isVolatile, Consumer<List<Object>> onAck) {
        onLoop(() -> {
            try {
                if (!connected) {
                    return;
                }
                acks.put(ackId, onAck::accept);
                if (deliver(message, isVolatile) == Delivery.WRITTEN) {
                    flush();
                } else {
                    acks.remove(ackId);
                }
            } finally {
                message.release();
            }
        });
    }

    /** Acknowledgements awaited now (tests); call on the loop. */
    int pendingAcks() {
        return acks.size();
    }

    /** Drops the callback of an acknowledgement that is no longer awaited (a broadcast that timed out). Any thread. */
    void forgetAck(long ackId) {
        onLoop(() -> acks.remove(ackId));
    }

    private void notifyOutgoing(JsonNode payload) {
        if (anyOutgoing.isEmpty() || payload == null) {
            return;
        }
        String event = payload.get(0).asText();
        List<Object> args = runtime.payloads().toJava(payload, 1);
        for (AnyListener l : anyOutgoing) {
            try {
                l.onAny(event, args);
            } catch (RuntimeException e) {
                reportError(e);
            }
        }
    }

    private void onLoop(Runnable r) {
        EventLoop loop = client.engineSocket().eventLoop();
        if (loop.inEventLoop()) {
            r.run();
        } else {
            Client.execute(loop, r);
        }
    }

    @Override
    public String toString() {
        return "Socket[" + id + " " + nsp.name() + ']';
    }

    // ---- helpers ----

    /** Arguments converted to Java values once, when first asked for. */
    private final class LazyArgs {
        private final JsonNode data;
        private List<Object> args;

        LazyArgs(JsonNode data) {
            this.data = data;
        }

        List<Object> get() {
            if (args == null) {
                args = runtime.payloads().toJava(data, 1);
            }
            return args;
        }
    }

    @FunctionalInterface
    private interface Invoker {
        void invoke(JsonNode data, LazyArgs args, Ack ack) throws Exception;
    }

    private static final class Registration {
        final Object key;
        final boolean once;
        final Invoker invoker;
        /** Runs on the handler runner's worker pool ({@link #onBlocking}); set before it is registered. */
        boolean blocking;

        Registration(Object key, boolean once, Invoker invoker) {
            this.key = key;
            this.once = once;
            this.invoker = invoker;
        }
    }

    /** socket.io Socket.ack: sends once. */
    private final class AckImpl implements Ack {
        private final long ackId;
        private final java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();

        AckImpl(long ackId) {
            this.ackId = ackId;
        }

        @Override
        public boolean requested() {
            return true;
        }

        @Override
        public void send(Object... args) {
            if (sent.compareAndSet(false, true)) {
                client.send(new Packet(PacketType.ACK, nsp.name(), ackId, runtime.payloads().argsData(args)), false);
            }
        }
    }
}
