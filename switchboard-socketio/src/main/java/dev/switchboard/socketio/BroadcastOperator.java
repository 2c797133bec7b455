package dev.switchboard.socketio;

import dev.switchboard.core.message.MessageId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A broadcast target: a namespace narrowed by rooms and flags. Immutable: every modifier returns a new
 * operator, so one can be kept and reused ({@code var lobby = io.to("lobby");}). All methods are
 * thread-safe.
 *
 * <p>Delivery goes through the core's {@code Router}: the packet is encoded once per wire format and
 * written to every matching socket; guarantees are the Router's ("default": at most once per
 * connection, in order per publisher and room; {@link #asVolatile()}: dropped for a client that cannot
 * take it now).
 */
public interface BroadcastOperator {

    /** Targets the sockets in any of these rooms (added to the rooms already targeted). */
    BroadcastOperator to(String... rooms);

    /** Same as {@link #to}. */
    BroadcastOperator in(String... rooms);

    /** Excludes the sockets in any of these rooms (a socket id excludes that socket). */
    BroadcastOperator except(String... rooms);

    /** Dropped for clients that are not ready to receive (buffer full) instead of queued. */
    BroadcastOperator asVolatile();

    /**
     * socket.io's {@code compress} flag (default true): whether the message may be compressed on
     * connections that negotiated permessage-deflate (and is at least its threshold long).
     */
    BroadcastOperator compress(boolean compress);

    /** This node only: not sent to the other nodes of the cluster (a no-op on a node alone). */
    BroadcastOperator local();

    /**
     * The id the fabric message of the next emit carries ({@code MessageId.random()} by default): a
     * publisher that waits for a bridge's confirmation of the message ({@code BridgeHandle#confirmation})
     * names it before emitting. Use an operator with an id for one emit only: ids are unique per message.
     */
    BroadcastOperator messageId(MessageId id);

    /** The time {@link #emitWithAck} waits for every acknowledgement. */
    BroadcastOperator timeout(Duration timeout);

    /**
     * Emits {@code event} with {@code args} (Jackson-serialisable values; {@code byte[]} as binary
     * attachments).
     *
     * @throws IllegalArgumentException for a reserved event name ({@code connect}, {@code disconnect}, ...)
     */
    void emit(String event, Object... args);

    /**
     * {@link #emit}, telling when the event is kept for recovery: the future completes once the recovery
     * backend holds it (for a durable room, once it is stored under the store's durability policy),
     * before it is delivered; at once when recovery is off or the broadcast is volatile. It fails when
     * the event could not be stored, and then is not delivered either.
     */
    CompletableFuture<Void> emitStored(String event, Object... args);

    /**
     * Emits with an acknowledgement asked of every target, on every node. Completes, once every
     * targeted client of every node answered, with the first argument of each answer (as JSON values:
     * {@code byte[]} answers arrive as base64 text); or fails with {@link AckTimeoutException}
     * (holding the answers that came) after {@link #timeout}. Requires a timeout.
     */
    CompletableFuture<BroadcastAcks> emitWithAck(String event, Object... args);

    /** The targeted sockets of this node, a snapshot. */
    List<Socket> fetchSockets();

    /**
     * The targeted sockets of every node of the cluster (socket.io's {@code fetchSockets} with an
     * adapter): this node's described at once, the others' when every node answered or after
     * {@link #timeout} (5 s by default), with what came. Only this node's with {@link #local()}.
     */
    CompletableFuture<List<RemoteSocket>> fetchAllSockets();

    /** Makes the targeted sockets join these rooms, on every node (this one only with {@link #local()}). */
    void socketsJoin(String... rooms);

    /** Makes the targeted sockets leave these rooms, on every node (this one only with {@link #local()}). */
    void socketsLeave(String... rooms);

    /**
     * Disconnects the targeted sockets, on every node (this one only with {@link #local()});
     * {@code close} closes their whole connection.
     */
    void disconnectSockets(boolean close);

    /** The answers of a broadcast with acknowledgements. */
    record BroadcastAcks(int expected, List<Object> responses) {
        public BroadcastAcks {
            responses = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(responses));
        }
    }
}
