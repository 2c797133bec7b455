package dev.switchboard.core.routing;

import io.netty.util.concurrent.EventExecutor;

/**
 * Something that receives publications: a local session (a Socket.IO socket, an MQTT client), a
 * bridge, or the proxy of a remote node.
 *
 * <p>Threading: {@link #deliver} and {@link #flush} are only ever called on {@link #executor()}, the
 * Netty event loop that owns the subscriber's channel, so an implementation keeps its write state
 * in plain fields. The fabric groups subscribers by executor and runs one task per executor per
 * publication: for each subscriber of that loop it calls {@code deliver}, then, if the subscriber
 * accepted ({@link Delivery#WRITTEN}), {@code flush} once, before going on to the next subscriber.
 */
public interface Subscriber {

    /** Unique among live subscribers of this node (a session id); used for {@code except} and logs. */
    String id();

    /** The event loop that owns this subscriber; never changes. */
    EventExecutor executor();

    /** The encoding this subscriber's connection needs; may change only between publications (upgrade). */
    WireFormat wireFormat();

    /**
     * Writes the message without flushing. {@code message} is borrowed for the duration of the call
     * (write {@code frame(i).retainedDuplicate()}). {@code isVolatile} messages are dropped rather than
     * queued when the connection is not writable.
     *
     * @return what happened, for the fabric's metrics and for slow-client handling
     */
    Delivery deliver(EncodedMessage message, boolean isVolatile);

    /**
     * Writes a message that asks for an acknowledgement ({@code acks.ackId()}, already in its frames):
     * registers {@code acks} to receive this subscriber's answer (for at most
     * {@link AckSink#remainingMillis()}), then writes as {@link #deliver(EncodedMessage, boolean)}. The
     * default cannot take answers: it only writes, so the publisher's wait for this subscriber times out.
     */
    default Delivery deliver(EncodedMessage message, boolean isVolatile, AckSink acks) {
        return deliver(message, isVolatile);
    }

    /**
     * Flushes what {@link #deliver} wrote; called once per publication per accepting subscriber, right
     * after its {@code deliver} (so that a pooled duplicate written and released at once is recycled
     * for the next subscriber).
     */
    void flush();

    /** The outcome of one {@link #deliver} call. */
    enum Delivery {
        /** Written (not yet flushed). */
        WRITTEN,
        /** A volatile message dropped because the connection was not writable. */
        DROPPED_VOLATILE,
        /** Not written: the subscriber is closing or was disconnected as a slow client. */
        REJECTED
    }
}
