package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.routing.AckSink;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.engineio.EngineSocket;
import dev.switchboard.socketio.recovery.RecoveryBackend;
import dev.switchboard.socketio.protocol.Packet;
import dev.switchboard.socketio.protocol.PacketType;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A socket: one client in one namespace, and that client's {@link Subscriber} in the Router (space =
 * namespace name; it is attached to the space and subscribed to its own id as a room).
 *
 * <p>States: created (middleware running) → connected ({@link #onConnect}) → closed ({@link #onClose},
 * once). Threading: state changes happen on the Engine.IO session's event loop; {@code connected} is
 * volatile so other threads can read it. Its parts: {@link SocketListeners} (what the user registered,
 * and the path of an event through it; copy-on-write lists, changed from any thread) and
 * {@link AckTable} (acknowledgements awaited from the client; loop-confined).
 */
final class SocketImpl implements Socket, Subscriber {

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

    private final SocketListeners listeners;
    private final AckTable acks = new AckTable();
    /** Joins from a recovery position in progress; made on first use. Loop only. */
    private RoomCatchUps catchUps;

    SocketImpl(NamespaceImpl nsp, Client client, Map<String, Object> auth, RecoveryBackend.Restored restored) {
        this.nsp = nsp;
        this.client = client;
        this.runtime = nsp.runtime();
        this.listeners = new SocketListeners(this, runtime);
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
     * made within the same second shares one String instead of formatting its own (heap per idle
     * connection, and formatting work per connect). Any thread; a race only formats twice.
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
    public CompletableFuture<CatchUp> joinFrom(String room, String offset) {
        CompletableFuture<CatchUp> result = new CompletableFuture<>();
        onLoop(() -> {
            if (!connected) {
                result.completeExceptionally(new SocketIoException("socket has been disconnected"));
                return;
            }
            RecoveryBackend sessions = nsp.sessions();
            if (sessions == null || offset == null) {
                join(room);
                result.complete(new CatchUp(false, 0, null));
                return;
            }
            if (catchUps == null) {
                catchUps = new RoomCatchUps(this, client, runtime);
            }
            catchUps.start(sessions, room, offset, result);
        });
        return result;
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
            // and are kept for replay; local, as the socket is connected here.
            nsp.broadcast(payload, BroadcastFlags.ALL.to(id).asLocal());
            return;
        }
        listeners.notifyOutgoing(payload);
        client.send(Packet.of(PacketType.EVENT, nsp.name(), payload), false);
    }

    @Override
    public void emitVolatile(String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        ArrayNode payload = runtime.payloads().eventData(event, args);
        listeners.notifyOutgoing(payload);
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
            acks.expect(ackId, timeout, executor(), result);
            listeners.notifyOutgoing(payload);
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
        listeners.on(event, listener);
        return this;
    }

    @Override
    public <T> Socket on(String event, Class<T> type, TypedEventListener<T> listener) {
        listeners.on(event, type, listener);
        return this;
    }

    @Override
    public Socket once(String event, EventListener listener) {
        listeners.once(event, listener);
        return this;
    }

    @Override
    public Socket onBlocking(String event, EventListener listener) {
        listeners.onBlocking(event, listener);
        return this;
    }

    @Override
    public Socket off(String event, EventListener listener) {
        listeners.off(event, listener);
        return this;
    }

    @Override
    public Socket off(String event) {
        listeners.off(event);
        return this;
    }

    @Override
    public Socket onAny(AnyListener listener) {
        listeners.any().add(listener);
        return this;
    }

    @Override
    public Socket offAny(AnyListener listener) {
        listeners.any().remove(listener);
        return this;
    }

    @Override
    public Socket onAnyOutgoing(AnyListener listener) {
        listeners.anyOutgoing().add(listener);
        return this;
    }

    @Override
    public Socket offAnyOutgoing(AnyListener listener) {
        listeners.anyOutgoing().remove(listener);
        return this;
    }

    @Override
    public Socket use(PacketMiddleware middleware) {
        listeners.packetMiddlewares().add(middleware);
        return this;
    }

    @Override
    public Socket onError(Consumer<Throwable> listener) {
        listeners.errors().add(listener);
        return this;
    }

    @Override
    public Socket onDisconnecting(Consumer<DisconnectReason> listener) {
        listeners.disconnecting().add(listener);
        return this;
    }

    @Override
    public Socket onDisconnect(Consumer<DisconnectReason> listener) {
        listeners.disconnected().add(listener);
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

    /**
     * socket.io Socket._onconnect: join own room (and restored rooms), send CONNECT (written now, on its
     * own, before the namespace's connection listeners run), replay missed events.
     */
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
        client.sendConnectReply(Packet.of(PacketType.CONNECT, nsp.name(), reply));
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
                listeners.onEvent(packet);
                break;
            case ACK:
                acks.acked(packet.id(), () -> runtime.payloads().toJava(packet.data(), 0));
                break;
            case DISCONNECT:
                onClose(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
                client.removed(this);
                break;
            default:
                break;
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
        listeners.fire(listeners.disconnecting(), reason);
        if (nsp.sessions() != null && reason.recoverable()) {
            nsp.sessions().persist(id, pid, rooms(), data);
        } else if (nsp.sessions() != null && reason == DisconnectReason.CLIENT_NAMESPACE_DISCONNECT) {
            nsp.sessions().forget(pid);
        }
        connected = false;
        runtime.router().detach(nsp.name(), this);
        if (catchUps != null) {
            catchUps.discard();
        }
        nsp.remove(this);
        if (!acks.isEmpty()) {
            acks.failAll(new SocketIoException("socket has been disconnected"));
        }
        runtime.metrics().disconnected(nsp.name(), reason);
        listeners.fire(listeners.disconnected(), reason);
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
        if (catchUps != null && catchUps.active()) {
            return catchUps.deliver(message, isVolatile);
        }
        return write(message, isVolatile);
    }

    /** Writes a delivery now (on the loop), telling the outgoing listeners. */
    Delivery write(EncodedMessage message, boolean isVolatile) {
        if (!listeners.anyOutgoing().isEmpty()) {
            listeners.notifyOutgoing(OutgoingFrames.eventData(message, runtime));
        }
        // A message encoded for the format the session had before an upgrade is converted by the session.
        return client.engineSocket().write(message, isVolatile);
    }

    @Override
    public void flush() {
        client.engineSocket().flush();
    }

    /**
     * A broadcast with ack (on the loop, from the Router): registers the sink under its ack id, kept no
     * longer than the publisher waits, then writes. The first argument of the client's answer goes to the
     * sink as JSON.
     */
    @Override
    public Delivery deliver(EncodedMessage message, boolean isVolatile, AckSink sink) {
        if (!connected) {
            return Delivery.REJECTED;
        }
        long ackId = sink.ackId();
        acks.expect(ackId, args -> sink.acknowledged(args.isEmpty() || args.get(0) == null ? null
                : runtime.payloads().toJson(args.get(0))));
        Delivery d = deliver(message, isVolatile);
        if (d != Delivery.WRITTEN) {
            acks.forget(ackId);
        } else {
            // Clients that never answer must not keep the callback until they disconnect.
            executor().schedule(() -> acks.forget(ackId), Math.max(1, sink.remainingMillis()),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return d;
    }

    /** Acknowledgements awaited now (tests); call on the loop. */
    int pendingAcks() {
        return acks.size();
    }

    /** Runs {@code r} on the socket's event loop: now if already there. */
    void onLoop(Runnable r) {
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

    /** The answer to the client's {@code ackId}, sent at most once. Any thread. */
    Ack ackFor(long ackId) {
        return new AckImpl(ackId);
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
