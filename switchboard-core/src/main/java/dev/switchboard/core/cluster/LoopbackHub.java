package dev.switchboard.core.cluster;

import dev.switchboard.core.spi.Backplane;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-JVM cluster for tests: several nodes in one process each get a {@link Backplane} from the same
 * hub and see each other as peers. Frames are copied and delivered asynchronously, each node receiving
 * on a thread of its own, in order per sender, as a network would; a node that stops is gone (its peers
 * are told, and stop waiting for it).
 *
 * <pre>{@code
 * LoopbackHub hub = new LoopbackHub();
 * SwitchboardNode a = SwitchboardNode.start(NodeConfig.builder().nodeId("a").backplane(hub.backplane()).build());
 * SwitchboardNode b = SwitchboardNode.start(NodeConfig.builder().nodeId("b").backplane(hub.backplane()).build());
 * }</pre>
 *
 * <p>Thread-safe. Each node's inbound queue is bounded ({@link #INBOUND_CAPACITY}); a frame that finds
 * it full is dropped and counted ({@link #dropped()}), as a lossy transport would do (the backplane is
 * at most once).
 */
public final class LoopbackHub {

    /** Frames waiting for one node before the next are dropped: far above what a test sends in a burst. */
    public static final int INBOUND_CAPACITY = 10_000;

    private final Map<String, LoopbackBackplane> members = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

    /** A new backplane of this hub, for one node; it joins when its node starts it. */
    public Backplane backplane() {
        return new LoopbackBackplane(this);
    }

    /** Nodes joined now. */
    public Set<String> nodes() {
        return Set.copyOf(members.keySet());
    }

    /** Frames dropped because a node's inbound queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Breaks {@code nodeId}'s connection as a network failure would: it leaves the hub (its peers are
     * told) and its node's supervisor is told its backplane failed (and restarts it, which joins again).
     */
    public void breakConnection(String nodeId) {
        LoopbackBackplane m = members.get(nodeId);
        if (m != null) {
            m.fail(new java.io.IOException("loopback connection of node " + nodeId + " broken"));
        }
    }

    // ---- used by the members ----

    void join(String nodeId, LoopbackBackplane member) {
        Objects.requireNonNull(nodeId, "nodeId");
        if (members.putIfAbsent(nodeId, member) != null) {
            throw new IllegalStateException("node id '" + nodeId + "' is already joined to this hub");
        }
        membershipChanged();
    }

    void leave(String nodeId, LoopbackBackplane member) {
        if (members.remove(nodeId, member)) {
            membershipChanged();
            for (LoopbackBackplane m : members.values()) {
                m.peerLeft(nodeId);
            }
        }
    }

    void broadcast(String from, byte[] frame) {
        for (Map.Entry<String, LoopbackBackplane> e : members.entrySet()) {
            if (!e.getKey().equals(from)) {
                e.getValue().enqueue(from, frame.clone());
            }
        }
    }

    void send(String from, String to, byte[] frame) {
        LoopbackBackplane m = members.get(to);
        if (m != null) {
            m.enqueue(from, frame.clone());
        }
    }

    void countDrop() {
        dropped.incrementAndGet();
    }

    private void membershipChanged() {
        Set<String> all = Set.copyOf(members.keySet());
        for (LoopbackBackplane m : members.values()) {
            m.members(all);
        }
    }
}
