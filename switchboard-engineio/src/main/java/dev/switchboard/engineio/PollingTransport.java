package dev.switchboard.engineio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTP long-polling (engine.io's {@code Polling}): packets queue in {@link #queue} in their polling
 * encoding; a pending GET ({@link #pollChannel}) is answered with everything queued. At most one GET
 * may be pending. POSTs carry the client's packets.
 *
 * <p>Threading: owned by the session's loop. {@link #pollChannel} is volatile only so
 * {@link #isWritable()} can read it from other threads. GETs and POSTs that arrive on channels of
 * other loops reach here through {@link Session#run}; answers are written to those channels from the
 * session's loop (Netty moves the write onto the channel's loop).
 *
 * <p>Bounds: the queued bytes are capped by {@link EngineIoConfig#maxPendingBytes()}; past it the
 * session is closed as a slow client.
 *
 * <h2>Server close</h2>
 * As engine.io 6.x ({@code Socket#close} waits for its write buffer to drain, then
 * {@code Polling#doClose} sends the close packet in a pending GET, or in the next one): the close
 * packet {@code 1} goes out in a GET response of its own, after every queued packet went out in an
 * earlier one. Never in the same response: socket.io-client 4.8 handles the packets of a payload on
 * the next tick but the close at once, so a {@code 41} joined with {@code 1} would reach it as
 * "transport close" instead of "io server disconnect". Nothing joins the queue once the close began
 * (the session refuses sends unless OPEN), so at most two GETs are needed. Only a server shutdown
 * ({@code discard}) joins the queue and the close packet in a pending GET, or closes without one:
 * it waits for no GET.
 *
 * <h2>A GET whose connection closes</h2>
 * A pending GET whose connection closes ends the session as a transport error, as in engine.io, but
 * only {@link #POLL_LOST_GRACE_MS} later: a client that sends its close packet and then drops its GET
 * (a browser page closing) sends the close first, on another connection whose event loop may hand it
 * over after this one's. Within the grace, a close packet ends the session as the client's close, POSTs
 * are taken as usual (they were sent before the GET went), and a new GET ends it at once as the error
 * (engine.io's session would be gone); an upgrade cannot complete. So the reason does not depend on
 * which of the two connections' loops runs first.
 *
 * <p>The wait is bounded by {@link #CLOSE_TIMEOUT_MS}, counted from the close and again from the
 * drain: engine.io arms its {@code closeTimeout} when the close packet starts waiting (after the
 * drain) and leaves the wait for the drain to the heartbeat (pings are dropped while closing, so no
 * pong comes and pingTimeout closes the session); the heartbeat still runs here, the first timer only
 * makes the bound independent of it.
 */
final class PollingTransport extends Transport {

    /**
     * engine.io's polling {@code closeTimeout} (30 s, a constant there too, not an option): how long a
     * server close waits for a GET to carry what it still has to send; past it the session closes
     * without it, as {@link CloseReason#FORCED_CLOSE}.
     */
    static final long CLOSE_TIMEOUT_MS = 30_000;

    /**
     * How long a session whose pending GET lost its connection waits for a close packet already sent on
     * another connection before it ends as a transport error (see the class comment). A request already
     * sent takes milliseconds to be handed over; seconds cover a loaded machine, and the session holds
     * nothing for the client meanwhile but its queue.
     */
    static final long POLL_LOST_GRACE_MS = 2_000;

    private volatile Channel pollChannel;
    /** Set while the grace after a lost GET runs; see the class comment. */
    private ScheduledFuture<?> pollLostTask;
    private ChannelFutureListener pollCloseListener;
    private final PacketQueue queue = new PacketQueue();
    /**
     * A server close is under way: the next GET takes the queue if it holds packets (engine.io's drain),
     * else the close packet (engine.io's {@code shouldClose}).
     */
    private boolean closing;
    private ScheduledFuture<?> closeTimeoutTask;

    PollingTransport(Session session) {
        super(session);
    }

    @Override
    TransportKind kind() {
        return TransportKind.POLLING;
    }

    @Override
    WireFormat wireFormat() {
        return EngineWireFormats.POLLING;
    }

    @Override
    boolean isWritable() {
        // As engine.io's polling transport: writable while a GET is waiting for data.
        return pollChannel != null;
    }

    /** Handshake over polling: the handshake GET is the first poll and carries the open packet (owned). */
    void open(Channel ch, ByteBuf openPacket) {
        enqueue(openPacket);
        acceptPoll(ch);
        flush();
    }

    @Override
    void sendText(PacketType type, String text) {
        if (enqueue(PacketCodec.pollingText(session.alloc(), type, text))) {
            flush();
        }
    }

    @Override
    void sendBinary(ByteBuf data) {
        if (enqueue(EngineWireFormats.binaryMessage(EngineWireFormats.POLLING, session.alloc(), data))) {
            flush();
        }
    }

    @Override
    Subscriber.Delivery write(EncodedMessage message) {
        boolean sameFormat = message.format() == EngineWireFormats.POLLING;
        int n = message.frameCount();
        for (int i = 0; i < n; i++) {
            ByteBuf frame = message.frame(i);
            if (!enqueue(sameFormat ? sharedCopy(frame) : WsFrames.toPolling(session.alloc(), frame))) {
                return Subscriber.Delivery.REJECTED;
            }
        }
        return Subscriber.Delivery.WRITTEN;
    }

    @Override
    void flush() {
        if (pollChannel != null && (!queue.isEmpty() || closing)) {
            respondPoll();
        }
    }

    /** See "Server close" in the class comment. */
    @Override
    void closeByServer(boolean discard) {
        if (discard) {
            Channel ch = pollChannel;
            if (ch != null) {
                // server shutdown: no later GET is waited for, the pending one carries everything
                queue.add(PacketCodec.pollingText(session.alloc(), PacketType.CLOSE, ""));
                ByteBuf payload = queue.joinAndRelease(session.alloc());
                detachPoll();
                HttpResponses.payload(ch, payload);
            }
            session.onClose(CloseReason.FORCED_CLOSE, "closed by the server");
            return;
        }
        closing = true;
        armCloseTimeout();
        flush(); // a pending GET takes the queue, or the close packet when nothing is queued
    }

    private void armCloseTimeout() {
        cancelCloseTimeout();
        closeTimeoutTask = session.eventLoop().schedule(
                () -> session.onClose(CloseReason.FORCED_CLOSE,
                        "closed by the server; no GET came within " + CLOSE_TIMEOUT_MS + " ms to carry the rest"),
                CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Close packet from the client: a pending GET answers noop. */
    @Override
    void onClientClose() {
        if (pollChannel != null) {
            queue.releaseAll();
            respondNoop();
        }
    }

    @Override
    void close() {
        cancelCloseTimeout();
        Session.cancel(pollLostTask);
        Channel poll = pollChannel;
        if (poll != null) {
            // engine.io clears the transport: a waiting GET gets the close packet.
            queue.releaseAll();
            detachPoll();
            HttpResponses.payload(poll, PacketCodec.pollingText(session.alloc(), PacketType.CLOSE, ""));
        }
        queue.releaseAll();
    }

    private void cancelCloseTimeout() {
        if (closeTimeoutTask != null) {
            closeTimeoutTask.cancel(false);
        }
    }

    /** Queues one polling packet (owned); false, with the session closed, when over the cap. */
    private boolean enqueue(ByteBuf packet) {
        long queuedBytes = queue.add(packet);
        if (queuedBytes > session.config().maxPendingBytes()) {
            session.closeSlowClient(queuedBytes);
            return false;
        }
        return true;
    }

    /**
     * Answers the pending GET with the queue; during a server close, with the close packet alone once
     * the queue has drained (never both: see the class comment).
     */
    private void respondPoll() {
        Channel ch = pollChannel;
        boolean carriesClose = closing && queue.isEmpty();
        ByteBuf payload = carriesClose
                ? PacketCodec.pollingText(session.alloc(), PacketType.CLOSE, "")
                : queue.joinAndRelease(session.alloc());
        detachPoll();
        HttpResponses.payload(ch, payload);
        if (carriesClose) {
            closing = false;
            session.onClose(CloseReason.FORCED_CLOSE, "closed by the server");
        } else if (closing) {
            armCloseTimeout(); // drained: the close packet now waits for the next GET, as engine.io's doClose
        }
    }

    /** Answers the pending GET with a noop (upgrade in progress, or the client closed). */
    private void respondNoop() {
        Channel ch = pollChannel;
        detachPoll();
        HttpResponses.payload(ch, PacketCodec.pollingText(session.alloc(), PacketType.NOOP, ""));
    }

    private void detachPoll() {
        Channel ch = pollChannel;
        if (ch != null && pollCloseListener != null) {
            ch.closeFuture().removeListener(pollCloseListener);
        }
        pollChannel = null;
        pollCloseListener = null;
    }

    // ---------------------------------------------------------------- requests (on the session's loop)

    /** A GET with this sid (engine.io Polling#onPollRequest); the session is not closed. */
    void onPollRequest(Channel ch) {
        if (pollLost()) {
            // engine.io closed the session when the previous GET's connection closed: this GET finds none
            HttpResponses.error(ch, EngineIoError.UNKNOWN_SID, EngineIoError.UNKNOWN_SID.message);
            session.onError(POLL_LOST);
            return;
        }
        if (pollChannel != null) {
            HttpResponses.empty(ch, HttpResponseStatus.BAD_REQUEST);
            session.onError("overlap from client: a second GET while one is pending");
            return;
        }
        acceptPoll(ch);
        if (session.upgradeProbed() && queue.isEmpty() && !closing) {
            respondNoop(); // an upgrade is being probed: let the client pause polling
            return;
        }
        flush();
    }

    private static final String POLL_LOST = "poll connection closed prematurely";

    /** Whether the pending GET's connection closed and the session waits out the grace. */
    boolean pollLost() {
        return pollLostTask != null;
    }

    private void acceptPoll(Channel ch) {
        pollChannel = ch;
        ChannelFutureListener l = f -> session.run(() -> {
            if (pollChannel == ch) {
                detachPoll();
                pollLostTask = session.eventLoop().schedule(() -> session.onError(POLL_LOST),
                        POLL_LOST_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        });
        pollCloseListener = l;
        ch.closeFuture().addListener(l);
    }

    /**
     * A POST with this sid (engine.io Polling#onDataRequest); the session is not closed. Owns
     * {@code body}. Always answers: "ok", 400 for a malformed body, 413 over maxPayload.
     */
    void onDataRequest(Channel ch, ByteBuf body, boolean octetStream) {
        try {
            EngineIoConfig config = session.config();
            if (octetStream) {
                HttpResponses.empty(ch, HttpResponseStatus.BAD_REQUEST);
                session.onError("invalid content: binary POST body in protocol v4");
                return;
            }
            if (body.readableBytes() > config.maxPayload()) {
                HttpResponses.empty(ch, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
                session.onError("payload of " + body.readableBytes() + " bytes over maxPayload " + config.maxPayload());
                return;
            }
            List<Packet> packets;
            try {
                packets = PacketCodec.decodePayload(body);
            } catch (PacketDecodeException e) {
                HttpResponses.error(ch, EngineIoError.BAD_REQUEST, EngineIoError.BAD_REQUEST.message);
                session.onClose(CloseReason.PARSE_ERROR, e.getMessage());
                return;
            }
            for (int i = 0; i < packets.size(); i++) {
                Packet p = packets.get(i);
                if (p.type() == PacketType.CLOSE) {
                    for (int j = i + 1; j < packets.size(); j++) {
                        packets.get(j).release();
                    }
                    session.onClientClose();
                    break;
                }
                session.onPacket(p);
            }
            HttpResponses.ok(ch);
        } finally {
            body.release();
        }
    }

    // ---------------------------------------------------------------- upgrade (on the session's loop)

    /** The probe answered {@code 3probe}: a pending GET returns (with the queue, else a noop) so the client pauses. */
    void onUpgradeProbed() {
        if (pollChannel != null) {
            if (queue.isEmpty()) {
                respondNoop();
            } else {
                respondPoll();
            }
        }
    }

    /**
     * The upgrade completed and {@code ws} is the session's transport now: a pending GET answers noop,
     * and what was queued goes over the WebSocket, in order. A server close that was waiting for a GET
     * no longer needs its timer (the caller closes the session over the WebSocket).
     */
    void handOverTo(WebSocketTransport ws) {
        if (pollChannel != null) {
            respondNoop();
        }
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            try {
                ws.writeFromPolling(b);
            } finally {
                b.release();
            }
        }
        queue.releaseAll();
        ws.flush();
    }

    /** A server close was waiting for a GET when the upgrade completed; the WebSocket closes now instead. */
    void dropPendingClose() {
        cancelCloseTimeout();
        closing = false;
    }
}
