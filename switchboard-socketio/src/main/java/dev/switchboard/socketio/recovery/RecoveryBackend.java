package dev.switchboard.socketio.recovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.core.message.MessageId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where connection state recovery keeps the sessions of disconnected sockets and the events they may
 * have missed, for one namespace (socket.io-adapter's {@code SessionAwareAdapter} role). The default is
 * the in-memory {@link MemoryRecovery} (bounded by {@code maxDisconnectionDuration}); a backend over the
 * core's {@code StreamStore} keeps durable rooms' events on disk, bounded by their retention.
 *
 * <p>Ordering contract: {@link #append} is called in publication order per namespace, and the event is
 * delivered only once its stage completed; a backend must complete the stages in the order it was
 * called so that delivery order equals offset order.
 *
 * <p>Threading: every method may be called from any thread (event loops included) and must not block.
 */
public interface RecoveryBackend extends AutoCloseable {

    /**
     * Gives an eligible event (no ack id, not volatile) its offset, appended to {@code data} as its last
     * argument, and keeps it for replay. The event is delivered once the stage completes; a failed stage
     * means the event is not delivered (it could not be kept).
     *
     * <p>Offsets must mean the same on every node: a backend either takes them from a store all nodes
     * share (stream positions) or uses {@code id} itself (a ULID, unique across nodes), so that another
     * node receiving the event can keep it under the same offset ({@link #arrived}).
     *
     * @param data   {@code [event, ...args]}, owned by the backend until the stage completes
     * @param rooms  target rooms (empty: every socket of the namespace)
     * @param except excluded rooms
     * @param id     the id of the fabric message that will carry the event
     */
    CompletionStage<Void> append(ArrayNode data, Set<String> rooms, Set<String> except, MessageId id);

    /** {@link #append(ArrayNode, Set, Set, MessageId)} for an event whose message id is not known yet. */
    default CompletionStage<Void> append(ArrayNode data, Set<String> rooms, Set<String> except) {
        return append(data, rooms, except, MessageId.random());
    }

    /**
     * An event published on another node arrived and is about to be delivered here, carrying
     * {@code offset} as its last argument: a backend that keeps events in this node's memory keeps it too,
     * so that a socket of this node that missed it gets it back. Backends whose events live in a shared
     * store ignore it. Called on the backplane's thread, before delivery; must not block.
     *
     * @param data {@code [event, ...args, offset]}, built only when called (it parses the message)
     */
    default void arrived(String offset, java.util.function.Supplier<ArrayNode> data, Set<String> rooms,
                         Set<String> except) {}

    /** A socket left for a recoverable reason: keep its session for a later {@link #restore}. */
    void persist(String sid, String pid, Set<String> rooms, Map<String, Object> data);

    /**
     * A connected socket's session changed (it connected, joined or left a room). Backends that must
     * survive a server crash keep the snapshot; the in-memory one ignores it.
     */
    default void track(String sid, String pid, Set<String> rooms, Map<String, Object> data) {}

    /**
     * A socket of session {@code pid} is about to join {@code rooms}: a backend that replays by room
     * remembers from where, so that a restore does not hand it events sent to a room before it joined.
     */
    default void joining(String pid, java.util.Collection<String> rooms) {}

    /** A socket left for good (the client disconnected the namespace): its session is not recoverable. */
    default void forget(String pid) {}

    /**
     * Restores a session: its state and the events it missed after {@code offset}, in order. Never
     * completes exceptionally: failures are an {@link Outcome#none()}.
     */
    CompletionStage<Outcome> restore(String pid, String offset);

    /**
     * The kept events of one room after {@code offset} (a recovery offset: the last argument of the events
     * a client received), in order, each with its offset as its last argument, for a socket that joins the
     * room from there ({@code Socket#joinFrom}); {@code socketRooms} are the socket's rooms (an event sent
     * {@code except} one of them is not its). Backends that keep no room history answer
     * {@link RoomReplay#unsupported()}. Never completes exceptionally: a failure is a truncation from the
     * start.
     */
    default CompletionStage<RoomReplay> replayRoom(String room, String offset, Set<String> socketRooms) {
        return java.util.concurrent.CompletableFuture.completedFuture(RoomReplay.unsupported());
    }

    /**
     * What {@link #replayRoom} found: the events, or, when the room's history no longer reaches back to the
     * offset (retention, or more events than a replay takes), none and a truncation to tell the client
     * ({@code room}, {@code firstOffset}, maybe {@code firstRecoveryOffset}).
     */
    record RoomReplay(boolean supported, List<ArrayNode> events, Map<String, Object> truncation) {
        private static final RoomReplay UNSUPPORTED = new RoomReplay(false, List.of(), null);

        public RoomReplay {
            events = List.copyOf(events);
        }

        public static RoomReplay unsupported() {
            return UNSUPPORTED;
        }
    }

    @Override
    default void close() {}

    /**
     * What a restore found.
     *
     * @param restored   the session and its missed events, or null when it cannot be restored
     * @param truncation when the session's history was cut by retention: what to tell the client (the
     *                   payload of the {@value #HISTORY_TRUNCATED} event), else null
     */
    record Outcome(Restored restored, Map<String, Object> truncation) {
        private static final Outcome NONE = new Outcome(null, null);

        public static Outcome none() {
            return NONE;
        }

        public static Outcome of(Restored restored) {
            return restored == null ? NONE : new Outcome(restored, null);
        }
    }

    /** A disconnected socket as kept for recovery ({@code disconnectedAt}: epoch milliseconds). */
    record Session(String sid, String pid, Set<String> rooms, Map<String, Object> data, long disconnectedAt) {}

    /** A session with the events it missed, in order. */
    record Restored(Session session, java.util.List<ArrayNode> missedPackets) {}

    /** The event a socket gets, right after connecting, when its history was truncated by retention. */
    String HISTORY_TRUNCATED = "switchboard:history-truncated";

    /** Makes the backend of each namespace. */
    @FunctionalInterface
    interface Factory {
        RecoveryBackend create(String namespace, long maxDisconnectionMs, int maxStoredPackets);
    }

    /** The in-memory default. */
    Factory IN_MEMORY = (nsp, maxMs, maxPackets) -> new MemoryRecovery(maxMs, maxPackets, System::currentTimeMillis);
}
