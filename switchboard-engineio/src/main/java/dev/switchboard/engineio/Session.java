package dev.switchboard.engineio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO session: engine.io's {@code Socket}. Its parts: the {@link Transport} in use
 * ({@link PollingTransport} or {@link WebSocketTransport}), the {@link Heartbeat}, and while a polling
 * session is being upgraded, the {@link Upgrade}.
 *
 * <h2>Threading</h2>
 * Every field, and every field of its parts, is owned by {@link #loop}, the event loop of the channel
 * that carried the handshake. Requests and frames that arrive on channels of other loops (a POST on a
 * second keep-alive connection, the WebSocket of an upgrade) are handed over with {@link #run};
 * answers are written to those channels from this loop (Netty moves the write onto the channel's
 * loop), except WebSocket frames, which go through {@link WsOutbound}: one hop per flush onto the
 * WebSocket's loop, and a pending-bytes count that stays exact across the two loops (see there).
 * {@link #state} and {@link #transport} (and the transports' channel fields) are volatile only so the
 * getters and the request router can read them from other threads. Inbound frames hop the other way,
 * one task per frame ({@link WebSocketFrameHandler}), so the session sees them in the channel's order.
 *
 * <h2>States</h2>
 * OPEN, then CLOSING (server-initiated close waiting for a GET to carry the close packet), then
 * CLOSED. {@link #onClose} is the single path into CLOSED: it cancels timers, answers a pending GET,
 * closes WebSockets, releases the queue, removes the session from the server and tells the listener,
 * exactly once.
 *
 * <h2>Bounds</h2>
 * Queued polling bytes, and bytes written to the WebSocket and not yet taken by its socket, are capped
 * by {@link EngineIoConfig#maxPendingBytes()}; past it the session is closed as a slow client
 * ({@link #closeSlowClient}).
 */
final class Session implements EngineSocket {

    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private static final Listener NO_LISTENER = new Listener() {};

    enum State { OPEN, CLOSING, CLOSED }

    private final String id;
    private final Handshake handshake;
    private final EventLoop loop;
    private final DefaultEngineIoServer server;
    private final EngineIoConfig config;
    private final ByteBufAllocator alloc;

    private volatile State state = State.OPEN;
    private volatile Transport transport;
    private Listener listener = NO_LISTENER;
    private final Heartbeat heartbeat;
    /** The upgrade being probed, or null. */
    private Upgrade upgrade;
    /**
     * Set (on the loop) before the client's close packet closes the session; volatile so the server
     * table can read it on whichever loop removes the session.
     */
    private volatile boolean closedByClient;

    Session(String id, Handshake handshake, EventLoop loop, DefaultEngineIoServer server,
            TransportKind transport, ByteBufAllocator alloc) {
        this.id = id;
        this.handshake = handshake;
        this.loop = loop;
        this.server = server;
        this.config = server.config();
        this.alloc = alloc;
        this.heartbeat = new Heartbeat(this);
        this.transport = transport == TransportKind.POLLING ? new PollingTransport(this) : new WebSocketTransport(this);
    }

    // ---------------------------------------------------------------- public API

    @Override
    public String id() {
        return id;
    }

    @Override
    public TransportKind transport() {
        return transport.kind();
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    @Override
    public boolean isWritable() {
        return transport.isWritable();
    }

    @Override
    public void send(String text) {
        if (loop.inEventLoop()) {
            sendText(PacketType.MESSAGE, text);
        } else {
            run(() -> sendText(PacketType.MESSAGE, text));
        }
    }

    @Override
    public void sendAlone(String text) {
        if (loop.inEventLoop()) {
            sendTextAlone(text);
        } else {
            run(() -> sendTextAlone(text));
        }
    }

    private void sendTextAlone(String text) {
        if (state == State.OPEN) {
            transport.sendTextAlone(PacketType.MESSAGE, text);
        }
    }

    @Override
    public void send(ByteBuf data) {
        if (loop.inEventLoop()) {
            sendBinary(data);
        } else if (!run(() -> sendBinary(data))) {
            data.release();
        }
    }

    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeByServer(false);
        } else {
            run(() -> closeByServer(false));
        }
    }

    @Override
    public void listener(Listener listener) {
        Listener l = listener == null ? NO_LISTENER : listener;
        if (loop.inEventLoop()) {
            this.listener = l;
        } else {
            run(() -> this.listener = l);
        }
    }

    @Override
    public WireFormat socketWireFormat() {
        return transport.wireFormat();
    }

    @Override
    public Subscriber.Delivery write(EncodedMessage message, boolean isVolatile) {
        assert loop.inEventLoop();
        if (state != State.OPEN) {
            return Subscriber.Delivery.REJECTED;
        }
        if (isVolatile && !isWritable()) {
            return Subscriber.Delivery.DROPPED_VOLATILE;
        }
        return transport.write(message);
    }

    @Override
    public void flush() {
        assert loop.inEventLoop();
        transport.flush();
    }

    @Override
    public String toString() {
        return "EngineSocket{" + id + ", " + transport.kind().protocolName() + ", " + state + '}';
    }

    // ---------------------------------------------------------------- for the parts (on loop)

    EngineIoConfig config() {
        return config;
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    State state() {
        return state;
    }

    /** The active WebSocket, or null (tests check which loop it landed on). Any thread. */
    Channel webSocketChannel() {
        return transport instanceof WebSocketTransport ws ? ws.channel() : null;
    }

    static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Runs {@code task} on the session's loop; false if the loop no longer accepts tasks. */
    boolean run(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Handshake over polling: the handshake GET is the first poll and carries the open packet. */
    void openPolling(Channel ch) {
        ((PollingTransport) transport).open(ch, PacketCodec.pollingText(alloc, PacketType.OPEN, openPacketJson()));
        heartbeat.start();
        notifyConnection();
    }

    /** Handshake over WebSocket (after the 101 went out): the open packet is the first frame. */
    void openWebSocket(Channel ch) {
        WebSocketTransport ws = (WebSocketTransport) transport;
        ws.open(ch);
        ws.writeAndFlush(PacketCodec.wsText(alloc, PacketType.OPEN, openPacketJson()));
        heartbeat.start();
        notifyConnection();
    }

    private void notifyConnection() {
        try {
            server.listener().onConnection(this);
        } catch (RuntimeException e) {
            log.warn("engine.io session {}: connection listener failed: {}", id, e.toString(), e);
        }
    }

    /** The open packet body, with exactly the keys engine.io sends. */
    private String openPacketJson() {
        String upgrades = transport.kind() == TransportKind.POLLING && config.allowUpgrades()
                && config.transports().contains(TransportKind.WEBSOCKET) ? "[\"websocket\"]" : "[]";
        return "{\"sid\":\"" + id + "\",\"upgrades\":" + upgrades
                + ",\"pingInterval\":" + config.pingInterval().toMillis()
                + ",\"pingTimeout\":" + config.pingTimeout().toMillis()
                + ",\"maxPayload\":" + config.maxPayload() + "}";
    }

    /**
     * Server-initiated close (engine.io {@code Socket#close(discard)}). With {@code discard} (server
     * shutdown) a polling session without a pending GET closes at once instead of waiting for one.
     */
    void closeByServer(boolean discard) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CLOSING && !discard) {
            return;
        }
        state = State.CLOSING;
        transport.closeByServer(discard);
    }

    void onError(String detail) {
        onClose(CloseReason.TRANSPORT_ERROR, detail);
    }

    void closeSlowClient(long pendingBytes) {
        server.countSlowClient();
        log.warn("engine.io session {} closed as a slow client: {} bytes pending, cap {}",
                id, pendingBytes, config.maxPendingBytes());
        onClose(CloseReason.TRANSPORT_ERROR, "slow client: " + pendingBytes + " bytes pending over the cap of "
                + config.maxPendingBytes());
    }

    /** The only way into CLOSED; idempotent. */
    void onClose(CloseReason reason, String detail) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        heartbeat.stop();
        abortUpgrade();
        transport.close();
        if (reason == CloseReason.TRANSPORT_ERROR || reason == CloseReason.PARSE_ERROR) {
            log.info("engine.io session {} closed: {} ({})", id, reason, detail);
        } else {
            log.debug("engine.io session {} closed: {} ({})", id, reason, detail);
        }
        try {
            listener.onClose(reason, detail);
        } catch (RuntimeException e) {
            log.warn("engine.io session {}: close listener failed: {}", id, e.toString(), e);
        } finally {
            // Removed after the listener ran: once sessionCount() drops, every close callback is done.
            server.remove(this);
        }
    }

    // ---------------------------------------------------------------- sending (on loop)

    void sendText(PacketType type, String text) {
        if (state != State.OPEN) {
            return; // engine.io drops packets once closing
        }
        transport.sendText(type, text);
    }

    private void sendBinary(ByteBuf data) {
        try {
            if (state != State.OPEN) {
                return;
            }
            transport.sendBinary(data);
        } finally {
            data.release();
        }
    }

    // ---------------------------------------------------------------- polling requests (on loop)

    /**
     * A GET with this sid (engine.io Polling#onPollRequest). A GET of a polling session that its client
     * closed with a close packet answers noop, as it does when it was pending when the close came: the
     * client sent it before the close (it sends no GET after one), and which of its two connections' event
     * loops handed its request over first must not change the answer.
     */
    void onPollRequest(Channel ch) {
        if (state != State.CLOSED && transport instanceof PollingTransport polling) {
            polling.onPollRequest(ch);
        } else if (closedByClientOverPolling()) {
            HttpResponses.payload(ch, PacketCodec.pollingText(alloc, PacketType.NOOP, ""));
        } else {
            refuseRequest(ch);
        }
    }

    /** Whether the session ended with the client's close packet while polling. Loop, or after close. */
    boolean closedByClientOverPolling() {
        return state == State.CLOSED && closedByClient && transport instanceof PollingTransport;
    }

    /**
     * A POST with this sid (engine.io Polling#onDataRequest). Owns {@code body}. Always answers: "ok",
     * 400 for a malformed body, 413 over maxPayload.
     */
    void onDataRequest(Channel ch, ByteBuf body, boolean octetStream) {
        if (state != State.CLOSED && transport instanceof PollingTransport polling) {
            polling.onDataRequest(ch, body, octetStream);
        } else {
            try {
                refuseRequest(ch);
            } finally {
                body.release();
            }
        }
    }

    /** A request for a session that is closed (unknown sid), or that polls after it upgraded. */
    private void refuseRequest(Channel ch) {
        EngineIoError error = state == State.CLOSED ? EngineIoError.UNKNOWN_SID : EngineIoError.BAD_REQUEST;
        HttpResponses.error(ch, error, error.message);
    }

    /**
     * A POST with this sid that the transport refused with 413 because its body passed the HTTP
     * aggregator's limit (the request never reached {@link #onDataRequest}); closes the session as a
     * body over maxPayload does.
     *
     * @param declaredLength the request's Content-Length, null for a chunked body; for the reason only
     */
    void onOversizedDataRequest(String declaredLength) {
        if (state == State.CLOSED || transport.kind() != TransportKind.POLLING) {
            return;
        }
        onError((declaredLength == null ? "chunked payload" : "payload of " + declaredLength + " bytes")
                + " over maxPayload " + config.maxPayload() + " (refused by the transport with 413)");
    }

    /** Close packet from the client: a pending GET answers noop, then the session ends. */
    void onClientClose() {
        closedByClient = true;
        transport.onClientClose();
        onClose(CloseReason.TRANSPORT_CLOSE, "client sent the close packet");
    }

    // ---------------------------------------------------------------- packets (on loop)

    /** A packet from the active transport (engine.io Socket#onPacket). Owns its binary. */
    void onPacket(Packet p) {
        if (state != State.OPEN) {
            p.release();
            return;
        }
        heartbeat.onPacket(p.type());
        switch (p.type()) {
            case PING -> onError("invalid heartbeat direction: the client sent a ping");
            case PONG -> heartbeat.onPong();
            case MESSAGE -> deliver(p);
            case CLOSE -> onClientClose();
            default -> { } // open, upgrade, noop: ignored, as engine.io does
        }
    }

    private void deliver(Packet p) {
        try {
            if (p.isBinary()) {
                listener.onBinary(p.binary()); // ownership passes to the listener
            } else {
                listener.onMessage(p.text());
            }
        } catch (RuntimeException e) {
            log.warn("engine.io session {}: message listener failed: {}", id, e.toString(), e);
        }
    }

    // ---------------------------------------------------------------- WebSocket (on loop)

    /** A decoded frame from {@code ch}: the active WebSocket, or the probe of an upgrade. */
    void onWsPacket(Channel ch, Packet p) {
        if (ch == webSocketChannel()) {
            onPacket(p);
        } else if (isProbe(ch)) {
            upgrade.onPacket(p);
        } else {
            p.release();
        }
    }

    void onWsParseError(Channel ch, String detail) {
        if (ch == webSocketChannel()) {
            onClose(CloseReason.PARSE_ERROR, detail);
        } else if (isProbe(ch)) {
            abortUpgrade();
        }
    }

    void onWsError(Channel ch, String detail) {
        if (ch == webSocketChannel()) {
            onError(detail);
        } else if (isProbe(ch)) {
            abortUpgrade();
        }
    }

    void onWsClosed(Channel ch) {
        if (ch == webSocketChannel()) {
            onClose(CloseReason.TRANSPORT_CLOSE, "websocket closed");
        } else if (isProbe(ch)) {
            Upgrade u = upgrade;
            upgrade = null;
            u.abort(true);
        }
    }

    private boolean isProbe(Channel ch) {
        return upgrade != null && ch == upgrade.probe();
    }

    // ---------------------------------------------------------------- upgrade (on loop)

    /** A WebSocket opened with this sid (engine.io Server#onWebSocket then Socket#_maybeUpgrade). */
    void attachProbe(Channel ch) {
        Transport t = transport;
        if (state != State.OPEN || upgrade != null || !(t instanceof PollingTransport polling) || !config.allowUpgrades()) {
            // closed, already upgrading, or already upgraded: engine.io closes the new WebSocket
            log.debug("engine.io session {}: refusing a WebSocket ({} {})", id, state,
                    upgrade != null ? "upgrading" : t.kind().protocolName());
            ch.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        upgrade = new Upgrade(this, polling, ch);
    }

    /** Whether an upgrade's probe was answered (a GET then returns a noop at once). */
    boolean upgradeProbed() {
        return upgrade != null && upgrade.probed();
    }

    /** Gives up an upgrade in progress (timeout, bad probe packet, probe error, session closed). */
    void abortUpgrade() {
        Upgrade u = upgrade;
        if (u != null) {
            upgrade = null;
            u.abort(false);
        }
    }

    /** The upgrade completed: the session no longer holds it, and {@code ws} is the transport from now on. */
    void upgraded(WebSocketTransport ws) {
        upgrade = null;
        transport = ws;
    }

    void notifyUpgrade() {
        try {
            listener.onUpgrade(TransportKind.WEBSOCKET);
        } catch (RuntimeException e) {
            log.warn("engine.io session {}: upgrade listener failed: {}", id, e.toString(), e);
        }
    }
}
