package dev.switchboard.engineio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;

/**
 * The transport a {@link Session} uses now (engine.io's {@code Transport}): polling or WebSocket. A
 * session has exactly one; an upgrade replaces its {@link PollingTransport} with a
 * {@link WebSocketTransport} for the rest of its life.
 *
 * <p>Threading: owned by the session's loop, like every field of the session; only
 * {@link #isWritable()} and the fields it reads may be used from other threads (see the variants).
 */
abstract class Transport {

    final Session session;

    Transport(Session session) {
        this.session = session;
    }

    abstract TransportKind kind();

    /** The wire format in which this transport writes encoded messages as they are. */
    abstract WireFormat wireFormat();

    /** Whether a volatile packet should go out now ({@link EngineSocket#isWritable()}). Any thread. */
    abstract boolean isWritable();

    /** Sends one text packet now; the session is open. */
    abstract void sendText(PacketType type, String text);

    /**
     * Sends one text packet now, in a write of its own where the transport has a choice (see
     * {@link EngineSocket#sendAlone}); the session is open.
     */
    void sendTextAlone(PacketType type, String text) {
        sendText(type, text);
    }

    /** Sends one binary message now; the session is open. Does not take {@code data}: the caller releases it. */
    abstract void sendBinary(ByteBuf data);

    /**
     * Writes the frames of a shared encoded message (the caller keeps its reference) without flushing;
     * the session is open. {@code REJECTED} when the pending-bytes cap closed the session.
     */
    abstract Subscriber.Delivery write(EncodedMessage message);

    /** Sends what {@link #write} queued. */
    abstract void flush();

    /**
     * Server-initiated close with the session now CLOSING (engine.io {@code Transport#close}); ends in
     * {@link Session#onClose}, at once or when the transport has carried the close.
     */
    abstract void closeByServer(boolean discard);

    /** The client sent the close packet; the session closes next. */
    void onClientClose() {}

    /** Part of {@link Session#onClose}: gives back everything the transport holds (timers, requests, buffers). */
    abstract void close();

    /**
     * This subscriber's reference to a shared encoded frame. Normally {@code retainedDuplicate()}: for
     * a pooled frame a recycled object, nothing allocated per subscriber. But when the leak detector
     * has sampled the frame (1 in 128 at the default level; the frame is then a leak-aware wrapper,
     * {@code unwrap() != null}), each {@code retainedDuplicate()} of it is tracked on its own with a
     * stack trace, so every subscriber of that publication captures one and 1 in 128 broadcasts
     * stalls its loops (JFR put 12% of a fan-out run's allocated bytes there).
     * {@code retain().duplicate()} of a wrapper shares its reference count and leak record instead:
     * the frame is still tracked until its last release.
     */
    static ByteBuf sharedCopy(ByteBuf frame) {
        return frame.unwrap() != null ? frame.retain().duplicate() : frame.retainedDuplicate();
    }
}
