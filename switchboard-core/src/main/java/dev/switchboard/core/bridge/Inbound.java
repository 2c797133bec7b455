package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import java.util.concurrent.CompletionStage;

/**
 * The inbound side of one bridge incarnation: records from outside enter the fabric here. See
 * {@link Bridge} for when to acknowledge to the source. Thread-safe; never blocks.
 */
public interface Inbound {

    /**
     * Publishes {@code message} through the node's router, after storing it when its room is stored by the
     * node. The runtime sets the message's origin (this node, protocol {@code bridge/<name>}).
     *
     * <p>Order: messages published from one thread reach subscribers in that order (for stored rooms, in
     * the store's order per stream, which is the order of the calls for one thread).
     *
     * @return completes normally once the fabric accepted the message (and stored it where it is stored):
     *         acknowledge to the source then. Fails at once with {@link InboundFullException} when
     *         {@link #capacity()} messages are already in flight (the message was not published), with
     *         {@link BridgeStoppedException} after this incarnation stopped, or with the error of the
     *         store or router.
     */
    CompletionStage<Accepted> publish(Message message);

    /** The bound on messages in flight (published, not yet accepted); {@code inbound max-in-flight}. */
    int capacity();

    /** Messages published and not yet accepted or failed. */
    int inFlight();

    /** Whether the window is full and the source has been asked to pause (see {@link Bridge#pauseInbound}). */
    boolean paused();

    /**
     * What the fabric did with an accepted message.
     *
     * @param id         the message's id
     * @param recipients local subscribers it was handed to; -1 when the storage step delivered it and did not count
     * @param position   its stream position when stored (a Socket.IO durable room: the position in its
     *                   namespace's sequence stream, which is also its recovery offset);
     *                   {@link Message#NO_POSITION} otherwise
     */
    record Accepted(MessageId id, int recipients, long position) {}
}
