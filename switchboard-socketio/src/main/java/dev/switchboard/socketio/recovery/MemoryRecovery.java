package dev.switchboard.socketio.recovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.core.message.MessageId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Connection state recovery for one namespace, as socket.io-adapter's in-memory
 * {@code SessionAwareAdapter}: disconnected sessions by private id, and a log of eligible broadcast
 * events with their offsets. The backend of namespaces without durable rooms: their events are kept
 * in this node's memory only. An event's offset is the id of the fabric message that carries it (a
 * ULID: unique across nodes and restarts, so an offset from another node or an earlier process is
 * never mistaken for a current one); events published on other nodes are kept under the same offset
 * when they arrive here ({@link #arrived}), so the log is what this node's sockets received, in the
 * order they received it. Durable rooms take their offsets from the stream store instead
 * ({@link DurableRecovery}).
 *
 * <p>Bounds: a session is kept for {@code maxDisconnectionDuration} after its disconnection; the log
 * keeps events for the same time and at most {@code maxStoredPackets} of them (oldest dropped first).
 * A client whose offset is no longer in the log gets a fresh session, never a silent gap.
 *
 * <p>Threading: called from any event loop and from the backplane's thread; the log is guarded by its
 * own monitor, sessions by a concurrent map. Times come from the injected clock (milliseconds).
 */
public final class MemoryRecovery implements RecoveryBackend {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MemoryRecovery.class);

    /** {@code data} is a supplier so that an event from another node is parsed only if it is replayed. */
    private record StoredPacket(String offset, Supplier<ArrayNode> data, Set<String> rooms, Set<String> except,
                                long emittedAt) {}

    private final long maxDisconnectionMs;
    private final int maxStoredPackets;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ArrayDeque<StoredPacket> packets = new ArrayDeque<>();

    private final java.util.function.LongSupplier clock;

    /**
     * @param maxDisconnectionMs how long a session and the events after it are kept, milliseconds
     * @param maxStoredPackets   bound of the event log
     * @param clock              milliseconds since the epoch ({@code System::currentTimeMillis}; tests pass a manual one)
     */
    public MemoryRecovery(long maxDisconnectionMs, int maxStoredPackets, java.util.function.LongSupplier clock) {
        if (maxDisconnectionMs <= 0 || maxStoredPackets < 1) {
            throw new IllegalArgumentException("need maxDisconnectionMs > 0 and maxStoredPackets >= 1, got "
                    + maxDisconnectionMs + ", " + maxStoredPackets);
        }
        this.maxDisconnectionMs = maxDisconnectionMs;
        this.maxStoredPackets = maxStoredPackets;
        this.clock = clock;
    }

    /** Appends the offset ({@code id}) to {@code data} (as its last argument) and keeps the event for replay; completes at once. */
    @Override
    public CompletionStage<Void> append(ArrayNode data, Set<String> rooms, Set<String> except, MessageId id) {
        String offset = id.toString();
        data.add(offset);
        keep(new StoredPacket(offset, () -> data, rooms, except, clock.getAsLong()));
        return DONE;
    }

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    /** Keeps an event of another node under its offset; its data is built once, on the first replay. */
    @Override
    public void arrived(String offset, Supplier<ArrayNode> data, Set<String> rooms, Set<String> except) {
        keep(new StoredPacket(offset, memoized(data), rooms, except, clock.getAsLong()));
    }

    private void keep(StoredPacket p) {
        synchronized (packets) {
            packets.addLast(p);
            while (packets.size() > maxStoredPackets) {
                packets.removeFirst();
            }
            pruneLog(p.emittedAt());
        }
    }

    private static Supplier<ArrayNode> memoized(Supplier<ArrayNode> build) {
        return new Supplier<>() {
            private ArrayNode value;

            @Override
            public synchronized ArrayNode get() {
                if (value == null) {
                    value = build.get();
                }
                return value;
            }
        };
    }

    @Override
    public void persist(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
        long now = clock.getAsLong();
        sessions.values().removeIf(s -> s.disconnectedAt() + maxDisconnectionMs < now);
        sessions.put(pid, new Session(sid, pid, Set.copyOf(rooms), Map.copyOf(data), now));
    }

    @Override
    public CompletionStage<Outcome> restore(String pid, String offset) {
        return CompletableFuture.completedFuture(Outcome.of(restoreNow(pid, offset)));
    }

    /** The session and the events it missed after {@code offset}, or {@code null} when it cannot be restored. */
    public Restored restoreNow(String pid, String offset) {
        Session session = sessions.remove(pid);
        if (session == null) {
            return null;
        }
        long now = clock.getAsLong();
        if (session.disconnectedAt() + maxDisconnectionMs < now) {
            return null;
        }
        List<StoredPacket> after = new ArrayList<>();
        synchronized (packets) {
            pruneLog(now);
            boolean found = false;
            for (StoredPacket p : packets) {
                if (found) {
                    if (shouldInclude(session.rooms(), p)) {
                        after.add(p);
                    }
                } else if (p.offset().equals(offset)) {
                    found = true;
                }
            }
            if (!found) {
                return null;
            }
        }
        // Outside the monitor: an event from another node is parsed here, on its first replay.
        List<ArrayNode> missed = new ArrayList<>(after.size());
        for (StoredPacket p : after) {
            try {
                missed.add(p.data().get());
            } catch (IllegalArgumentException e) {
                log.warn("session {}: kept event {} is unreadable ({}); not recovered rather than replayed with a gap",
                        session.sid(), p.offset(), e.getMessage());
                return null;
            }
        }
        return new Restored(session, missed);
    }

    private void pruneLog(long now) {
        long threshold = now - maxDisconnectionMs;
        Iterator<StoredPacket> it = packets.iterator();
        while (it.hasNext() && it.next().emittedAt() < threshold) {
            it.remove();
        }
    }

    private static boolean shouldInclude(Set<String> sessionRooms, StoredPacket p) {
        boolean included = p.rooms().isEmpty();
        for (String room : sessionRooms) {
            if (p.except().contains(room)) {
                return false;
            }
            if (p.rooms().contains(room)) {
                included = true;
            }
        }
        return included;
    }
}
