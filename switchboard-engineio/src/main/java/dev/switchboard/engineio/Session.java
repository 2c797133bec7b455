package dev.switchboard.engineio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO session: engine.io's {@code Socket} together with its polling and WebSocket
 * transports.
 *
 * <h2>Threading</h2>
 * Every field is owned by {@link #loop}, the event loop of the channel that carried the handshake.
 * Requests and frames that arrive on channels of other loops (a POST on a second keep-alive
 * connection, the WebSocket of an upgrade) are handed over with {@link #run}; answers are written to
 * those channels from this loop (Netty moves the write onto the channel's loop), except WebSocket
 * frames, which go through {@link WsOutbound}: one hop per flush onto the WebSocket's loop, and a
 * pending-bytes count that stays exact across the two loops (see there). {@link #state},
 * {@link #transport}, {@link #pollChannel} and {@link #ws} are volatile only so the getters and the
 * request router can read them from other threads. Inbound frames hop the other way, one task per
 * frame ({@link WebSocketFrameHandler}), so the session sees them in the channel's order.
 *
 * <h2>States</h2>
 * OPEN, then CLOSING (server-initiated close waiting for a GET to carry the close packet), then
 * CLOSED. {@link #onClose} is the single path into CLOSED: it cancels timers, answers a pending GET,
 * closes WebSockets, releases the queue, removes the session from the server and tells the listener,
 * exactly once.
 *
 * <h2>Transports</h2>
 * Polling: packets queue in {@link #pollQueue} in their polling encoding; a pending GET
 * ({@link #pollChannel}) is answered with everything queued. At most one GET may be pending.
 * WebSocket: packets are written as complete frames to {@link #ws}'s {@link WsOutbound}. During an upgrade the
 * probe WebSocket is held in {@link #probe} until the client sends {@code 5}; the queue then moves
 * to the WebSocket.
 *
 * <h2>Bounds</h2>
 * Queued polling bytes, and bytes written to the WebSocket and not yet taken by its socket
 * ({@link WsOutbound#pendingBytes()}: batched, in flight to its loop, or in its outbound buffer), are capped by
 * {@link EngineIoConfig#maxPendingBytes()}; past it the session is closed as a slow client.
 */
final class Session implements EngineSocket {

    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /** engine.io's polling {@code closeTimeout}: how long a server close waits for a GET to carry it. */
    static final long CLOSE_TIMEOUT_MS = 30_000;

    private static final Listener NO_LISTENER = new Listener() {};

    enum State { OPEN, CLOSING, CLOSED }

    private final String id;
    private final Handshake handshake;
    private final EventLoop loop;
    private final DefaultEngineIoServer server;
    private final EngineIoConfig config;
    private final ByteBufAllocator alloc;

    private volatile State state = State.OPEN;
    private volatile TransportKind transport;
    private Listener listener = NO_LISTENER;

    // polling
    private volatile Channel pollChannel;
    private ChannelFutureListener pollCloseListener;
    /** Sized for polling; a WebSocket session (direct handshake) only needs it if it ever polls, which it cannot. */
    private final ArrayDeque<ByteBuf> pollQueue;
    private long queuedBytes;
    /** A server close waits for the next GET to carry the close packet (engine.io's shouldClose). */
    private boolean closeOnNextPoll;
    private ScheduledFuture<?> closeTimeoutTask;

    // websocket
    private volatile Channel ws;
    /** Frames to {@link #ws}; set with it. */
    private volatile WsOutbound wsOut;

    // upgrade
    private Channel probe;
    private boolean probed;
    private ScheduledFuture<?> upgradeTimeoutTask;

    // heartbeat (engine.io protocol v4: server pings, client pongs)
    private ScheduledFuture<?> pingIntervalTask;
    private ScheduledFuture<?> pingTimeoutTask;
    private boolean refreshedPingTimeout;

    Session(String id, Handshake handshake, EventLoop loop, DefaultEngineIoServer server,
            TransportKind transport, ByteBufAllocator alloc) {
        this.id = id;
        this.handshake = handshake;
        this.loop = loop;
        this.server = server;
        this.config = server.config();
        this.transport = transport;
        this.alloc = alloc;
        this.pollQueue = new ArrayDeque<>(transport == TransportKind.POLLING ? 4 : 0);
    }

    // ---------------------------------------------------------------- public API

    @Override
    public String id() {
        return id;
    }

    @Override
    public TransportKind transport() {
        return transport;
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
        if (transport == TransportKind.WEBSOCKET) {
            WsOutbound out = wsOut;
            return out != null && out.isWritable(loop.inEventLoop());
        }
        // As engine.io's polling transport: writable while a GET is waiting for data.
        return pollChannel != null;
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
        return transport == TransportKind.WEBSOCKET ? EngineWireFormats.WEBSOCKET : EngineWireFormats.POLLING;
    }

    /**
     * This subscriber's reference to a shared encoded frame. Normally {@code retainedDuplicate()}: for
     * a pooled frame a recycled object, nothing allocated per subscriber. But when the leak detector
     * has sampled the frame (1 in 128 at the default level; the frame is then a leak-aware wrapper,
     * {@code unwrap() != null}), each {@code retainedDuplicate()} of it is tracked on its own with a
     * stack trace, so every subscriber of that publication captures one and 1 in 128 broadcasts
     * stalls its loops (issue 7: fan-out p99; JFR put 12% of a fan-out run's allocated bytes there).
     * {@code retain().duplicate()} of a wrapper shares its reference count and leak record instead:
     * the frame is still tracked until its last release.
     */
    private static ByteBuf sharedCopy(ByteBuf frame) {
        return frame.unwrap() != null ? frame.retain().duplicate() : frame.retainedDuplicate();
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
        boolean sameFormat = message.format() == socketWireFormat();
        int n = message.frameCount();
        if (transport == TransportKind.WEBSOCKET) {
            WsOutbound out = wsOut;
            long pending = out.pendingBytes() + message.byteCount();
            if (pending > config.maxPendingBytes()) {
                closeSlowClient(pending);
                return Subscriber.Delivery.REJECTED;
            }
            for (int i = 0; i < n; i++) {
                ByteBuf frame = message.frame(i);
                // Encoded once: every WebSocket subscriber writes a retained duplicate of the same bytes.
                out.write(sameFormat ? sharedCopy(frame) : WsFrames.fromPolling(alloc, frame));
            }
            return Subscriber.Delivery.WRITTEN;
        }
        for (int i = 0; i < n; i++) {
            ByteBuf frame = message.frame(i);
            if (!enqueue(sameFormat ? sharedCopy(frame) : WsFrames.toPolling(alloc, frame))) {
                return Subscriber.Delivery.REJECTED;
            }
        }
        return Subscriber.Delivery.WRITTEN;
    }

    @Override
    public void flush() {
        assert loop.inEventLoop();
        if (transport == TransportKind.WEBSOCKET) {
            WsOutbound out = wsOut;
            if (out != null) {
                out.flush();
            }
        } else {
            flushPolling();
        }
    }

    @Override
    public String toString() {
        return "EngineSocket{" + id + ", " + transport.protocolName() + ", " + state + '}';
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

    State state() {
        return state;
    }

    /** The active WebSocket, or null (tests check which loop it landed on). */
    Channel webSocketChannel() {
        return ws;
    }

    /** Handshake over polling: the handshake GET is the first poll and carries the open packet. */
    void openPolling(Channel ch) {
        enqueue(PacketCodec.pollingText(alloc, PacketType.OPEN, openPacketJson()));
        acceptPoll(ch);
        flushPolling();
        schedulePing();
        notifyConnection();
    }

    /** Handshake over WebSocket (after the 101 went out): the open packet is the first frame. */
    void openWebSocket(Channel ch) {
        wsOut = new WsOutbound(ch);
        ws = ch;
        wsOut.writeAndFlush(PacketCodec.wsText(alloc, PacketType.OPEN, openPacketJson()));
        schedulePing();
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
        String upgrades = transport == TransportKind.POLLING && config.allowUpgrades()
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
        if (transport == TransportKind.WEBSOCKET) {
            onClose(CloseReason.FORCED_CLOSE, "closed by the server");
            return;
        }
        if (pollChannel != null || discard) {
            closeOnNextPoll = pollChannel != null;
            if (closeOnNextPoll) {
                respondPoll(); // carries the queue and the close packet, then closes
            } else {
                onClose(CloseReason.FORCED_CLOSE, "closed by the server");
            }
            return;
        }
        closeOnNextPoll = true;
        closeTimeoutTask = loop.schedule(
                () -> onClose(CloseReason.FORCED_CLOSE, "closed by the server (no poll came)"),
                CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void onError(String detail) {
        onClose(CloseReason.TRANSPORT_ERROR, detail);
    }

    private void closeSlowClient(long pendingBytes) {
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
        cancel(pingIntervalTask);
        cancel(pingTimeoutTask);
        cancel(closeTimeoutTask);
        abortUpgrade();
        Channel poll = pollChannel;
        if (poll != null) {
            // engine.io clears the transport: a waiting GET gets the close packet.
            releaseQueue();
            detachPoll();
            HttpResponses.payload(poll, PacketCodec.pollingText(alloc, PacketType.CLOSE, ""));
        }
        releaseQueue();
        Channel c = ws;
        if (c != null) {
            wsOut.flush(); // what was written goes out before the close frame (same FIFO as below)
            if (c.isActive()) {
                c.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
            }
        }
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

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    // ---------------------------------------------------------------- heartbeat

    private void schedulePing() {
        pingIntervalTask = loop.schedule(this::ping, config.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ping() {
        if (state == State.CLOSED) {
            return;
        }
        refreshedPingTimeout = false;
        sendText(PacketType.PING, "");
        armPingTimeout();
    }

    private void armPingTimeout() {
        cancel(pingTimeoutTask);
        pingTimeoutTask = loop.schedule(
                () -> onClose(CloseReason.PING_TIMEOUT, "no pong within " + config.pingTimeout().toMillis() + " ms"),
                config.pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- sending

    private void sendText(PacketType type, String text) {
        if (state != State.OPEN) {
            return; // engine.io drops packets once closing
        }
        if (transport == TransportKind.WEBSOCKET) {
            writeWs(PacketCodec.wsText(alloc, type, text));
        } else if (enqueue(PacketCodec.pollingText(alloc, type, text))) {
            flushPolling();
        }
    }

    private void sendBinary(ByteBuf data) {
        try {
            if (state != State.OPEN) {
                return;
            }
            if (transport == TransportKind.WEBSOCKET) {
                writeWs(EngineWireFormats.binaryMessage(EngineWireFormats.WEBSOCKET, alloc, data));
            } else if (enqueue(EngineWireFormats.binaryMessage(EngineWireFormats.POLLING, alloc, data))) {
                flushPolling();
            }
        } finally {
            data.release();
        }
    }

    /** Writes and flushes one complete frame (owned) to the WebSocket, within the pending-bytes cap. */
    private void writeWs(ByteBuf frame) {
        WsOutbound out = wsOut;
        long pending = out.pendingBytes() + frame.readableBytes();
        if (pending > config.maxPendingBytes()) {
            frame.release();
            closeSlowClient(pending);
            return;
        }
        out.writeAndFlush(frame);
    }

    /** Queues one polling packet (owned); false, with the session closed, when over the cap. */
    private boolean enqueue(ByteBuf packet) {
        pollQueue.add(packet);
        queuedBytes += packet.readableBytes();
        if (queuedBytes > config.maxPendingBytes()) {
            closeSlowClient(queuedBytes);
            return false;
        }
        return true;
    }

    private void releaseQueue() {
        ByteBuf b;
        while ((b = pollQueue.poll()) != null) {
            b.release();
        }
        queuedBytes = 0;
    }

    private void flushPolling() {
        if (pollChannel != null && (!pollQueue.isEmpty() || closeOnNextPoll)) {
            respondPoll();
        }
    }

    /** Answers the pending GET with the queue (and the close packet when a server close waits). */
    private void respondPoll() {
        Channel ch = pollChannel;
        boolean closing = closeOnNextPoll;
        if (closing) {
            closeOnNextPoll = false;
            pollQueue.add(PacketCodec.pollingText(alloc, PacketType.CLOSE, ""));
        }
        ByteBuf payload = PacketCodec.joinPayload(alloc, pollQueue);
        releaseQueue();
        detachPoll();
        HttpResponses.payload(ch, payload);
        if (closing) {
            onClose(CloseReason.FORCED_CLOSE, "closed by the server");
        }
    }

    /** Answers the pending GET with a noop (upgrade in progress, or the client closed). */
    private void respondNoop() {
        Channel ch = pollChannel;
        detachPoll();
        HttpResponses.payload(ch, PacketCodec.pollingText(alloc, PacketType.NOOP, ""));
    }

    private void detachPoll() {
        Channel ch = pollChannel;
        if (ch != null && pollCloseListener != null) {
            ch.closeFuture().removeListener(pollCloseListener);
        }
        pollChannel = null;
        pollCloseListener = null;
    }

    // ---------------------------------------------------------------- polling requests (on loop)

    /** A GET with this sid (engine.io Polling#onPollRequest). */
    void onPollRequest(Channel ch) {
        if (state == State.CLOSED) {
            HttpResponses.error(ch, EngineIoError.UNKNOWN_SID, EngineIoError.UNKNOWN_SID.message);
            return;
        }
        if (transport != TransportKind.POLLING) {
            HttpResponses.error(ch, EngineIoError.BAD_REQUEST, EngineIoError.BAD_REQUEST.message);
            return;
        }
        if (pollChannel != null) {
            HttpResponses.empty(ch, HttpResponseStatus.BAD_REQUEST);
            onError("overlap from client: a second GET while one is pending");
            return;
        }
        acceptPoll(ch);
        if (probed && pollQueue.isEmpty() && !closeOnNextPoll) {
            respondNoop(); // an upgrade is being probed: let the client pause polling
            return;
        }
        flushPolling();
    }

    private void acceptPoll(Channel ch) {
        pollChannel = ch;
        ChannelFutureListener l = f -> run(() -> {
            if (pollChannel == ch) {
                detachPoll();
                onError("poll connection closed prematurely");
            }
        });
        pollCloseListener = l;
        ch.closeFuture().addListener(l);
    }

    /**
     * A POST with this sid (engine.io Polling#onDataRequest). Owns {@code body}. Always answers: "ok",
     * 400 for a malformed body, 413 over maxPayload.
     */
    void onDataRequest(Channel ch, ByteBuf body, boolean octetStream) {
        try {
            if (state == State.CLOSED) {
                HttpResponses.error(ch, EngineIoError.UNKNOWN_SID, EngineIoError.UNKNOWN_SID.message);
                return;
            }
            if (transport != TransportKind.POLLING) {
                HttpResponses.error(ch, EngineIoError.BAD_REQUEST, EngineIoError.BAD_REQUEST.message);
                return;
            }
            if (octetStream) {
                HttpResponses.empty(ch, HttpResponseStatus.BAD_REQUEST);
                onError("invalid content: binary POST body in protocol v4");
                return;
            }
            if (body.readableBytes() > config.maxPayload()) {
                HttpResponses.empty(ch, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
                onError("payload of " + body.readableBytes() + " bytes over maxPayload " + config.maxPayload());
                return;
            }
            List<Packet> packets;
            try {
                packets = PacketCodec.decodePayload(body);
            } catch (PacketDecodeException e) {
                HttpResponses.error(ch, EngineIoError.BAD_REQUEST, EngineIoError.BAD_REQUEST.message);
                onClose(CloseReason.PARSE_ERROR, e.getMessage());
                return;
            }
            for (int i = 0; i < packets.size(); i++) {
                Packet p = packets.get(i);
                if (p.type() == PacketType.CLOSE) {
                    for (int j = i + 1; j < packets.size(); j++) {
                        packets.get(j).release();
                    }
                    onClientClose();
                    break;
                }
                onPacket(p);
            }
            HttpResponses.ok(ch);
        } finally {
            body.release();
        }
    }

    /**
     * A POST with this sid that the transport refused with 413 because its body passed the HTTP
     * aggregator's limit (the request never reached {@link #onDataRequest}); closes the session as a
     * body over maxPayload does.
     *
     * @param declaredLength the request's Content-Length, null for a chunked body; for the reason only
     */
    void onOversizedDataRequest(String declaredLength) {
        if (state == State.CLOSED || transport != TransportKind.POLLING) {
            return;
        }
        onError((declaredLength == null ? "chunked payload" : "payload of " + declaredLength + " bytes")
                + " over maxPayload " + config.maxPayload() + " (refused by the transport with 413)");
    }

    /** Close packet from the client: a pending GET answers noop, then the session ends. */
    private void onClientClose() {
        if (pollChannel != null) {
            releaseQueue();
            respondNoop();
        }
        onClose(CloseReason.TRANSPORT_CLOSE, "client sent the close packet");
    }

    // ---------------------------------------------------------------- packets (on loop)

    /** A packet from the active transport (engine.io Socket#onPacket). Owns its binary. */
    private void onPacket(Packet p) {
        if (state != State.OPEN) {
            p.release();
            return;
        }
        if (pingTimeoutTask != null && !refreshedPingTimeout && p.type() != PacketType.PONG) {
            // engine.io: any packet while waiting for a pong extends the timeout, once per ping.
            armPingTimeout();
            refreshedPingTimeout = true;
        }
        switch (p.type()) {
            case PING -> onError("invalid heartbeat direction: the client sent a ping");
            case PONG -> {
                cancel(pingTimeoutTask);
                pingTimeoutTask = null;
                cancel(pingIntervalTask);
                schedulePing();
            }
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
        if (ch == ws) {
            onPacket(p);
        } else if (ch == probe) {
            onProbePacket(p);
        } else {
            p.release();
        }
    }

    void onWsParseError(Channel ch, String detail) {
        if (ch == ws) {
            onClose(CloseReason.PARSE_ERROR, detail);
        } else if (ch == probe) {
            abortUpgrade();
        }
    }

    void onWsError(Channel ch, String detail) {
        if (ch == ws) {
            onError(detail);
        } else if (ch == probe) {
            abortUpgrade();
        }
    }

    void onWsClosed(Channel ch) {
        if (ch == ws) {
            onClose(CloseReason.TRANSPORT_CLOSE, "websocket closed");
        } else if (ch == probe) {
            probe = null;
            abortUpgrade();
        }
    }

    /** A WebSocket opened with this sid (engine.io Server#onWebSocket then Socket#_maybeUpgrade). */
    void attachProbe(Channel ch) {
        if (state != State.OPEN || probe != null || transport == TransportKind.WEBSOCKET || !config.allowUpgrades()) {
            // closed, already upgrading, or already upgraded: engine.io closes the new WebSocket
            log.debug("engine.io session {}: refusing a WebSocket ({} {})", id, state,
                    probe != null ? "upgrading" : transport.protocolName());
            ch.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        probe = ch;
        upgradeTimeoutTask = loop.schedule(() -> {
            log.debug("engine.io session {}: upgrade timed out", id);
            abortUpgrade();
        }, config.upgradeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onProbePacket(Packet p) {
        if (p.type() == PacketType.PING && "probe".equals(p.text())) {
            probe.writeAndFlush(PacketCodec.wsText(alloc, PacketType.PONG, "probe"), probe.voidPromise());
            probed = true;
            if (pollChannel != null) {
                if (pollQueue.isEmpty()) {
                    respondNoop();
                } else {
                    respondPoll();
                }
            }
        } else if (p.type() == PacketType.UPGRADE && state != State.CLOSED) {
            completeUpgrade();
        } else {
            p.release();
            abortUpgrade();
        }
    }

    private void completeUpgrade() {
        Channel c = probe;
        cancel(upgradeTimeoutTask);
        upgradeTimeoutTask = null;
        probe = null;
        probed = false;
        WsOutbound out = new WsOutbound(c);
        wsOut = out;
        ws = c;
        transport = TransportKind.WEBSOCKET;
        if (pollChannel != null) {
            respondNoop();
        }
        // What was queued for polling now goes over the WebSocket, in order.
        ByteBuf b;
        while ((b = pollQueue.poll()) != null) {
            try {
                out.write(WsFrames.fromPolling(alloc, b));
            } finally {
                b.release();
            }
        }
        queuedBytes = 0;
        out.flush();
        log.debug("engine.io session {} upgraded to websocket", id);
        try {
            listener.onUpgrade(TransportKind.WEBSOCKET);
        } catch (RuntimeException e) {
            log.warn("engine.io session {}: upgrade listener failed: {}", id, e.toString(), e);
        }
        if (state == State.CLOSING) {
            cancel(closeTimeoutTask);
            closeOnNextPoll = false;
            onClose(CloseReason.FORCED_CLOSE, "closed by the server");
        }
    }

    /** Gives up an upgrade in progress (timeout, bad probe packet, probe closed, session closed). */
    private void abortUpgrade() {
        cancel(upgradeTimeoutTask);
        upgradeTimeoutTask = null;
        probed = false;
        Channel c = probe;
        probe = null;
        if (c != null && c.isActive()) {
            c.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
