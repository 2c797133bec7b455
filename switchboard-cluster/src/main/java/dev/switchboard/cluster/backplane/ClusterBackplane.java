package dev.switchboard.cluster.backplane;

import dev.switchboard.node.ActorSystemBackplane;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.MailboxSelector;

/**
 * The fabric's backplane over Pekko Cluster. Each start spawns one inbox actor on this node
 * ({@link BackplaneInbox}), registered with the cluster receptionist; the receptionist's listing of the
 * reachable inboxes is the set of peers, and a frame goes to a peer as one Artery message
 * ({@link BackplaneFrame}, serialized by {@link BackplaneFrameSerializer}).
 *
 * <p>Guarantees, as the SPI asks: at most once; in order per sending node (Artery keeps order between
 * two actors); never back to the sender. A node that becomes unreachable leaves the peer set at once
 * (requests stop waiting for it); it is removed from the cluster by the split-brain resolver.
 *
 * <p>Threading: {@link #broadcast}, {@link #send} and {@link #peers} read a volatile snapshot of the
 * peers and never block (a tell to a remote actor enqueues into Artery's bounded outbound queue, which
 * drops when full). The peer snapshot is written only by the inbox actor.
 *
 * <p>Bounds: the inbox's mailbox holds {@link #INBOX_CAPACITY} frames; beyond that frames go to dead
 * letters and are counted in {@link #dropped()}.
 */
public final class ClusterBackplane implements ActorSystemBackplane {

    /** Frames waiting for this node's router before the next are dropped: seconds of a busy cluster. */
    public static final int INBOX_CAPACITY = 10_000;

    private final AtomicInteger incarnations = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong receivedBytes = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    private volatile ActorSystem<?> system;
    /** The running incarnation, or null while stopped. */
    private volatile Session session;

    @Override
    public void bind(ActorSystem<?> system) {
        if (this.system != null) {
            throw new IllegalStateException("backplane already bound to actor system " + this.system.name());
        }
        this.system = Objects.requireNonNull(system, "system");
    }

    @Override
    public synchronized void start(String nodeId, Receiver receiver) {
        ActorSystem<?> sys = system;
        if (sys == null) {
            throw new IllegalStateException("backplane not bound to an actor system (run it in a SwitchboardNode)");
        }
        if (session != null) {
            throw new IllegalStateException("already started as " + session.nodeId);
        }
        Session s = new Session(nodeId, receiver);
        String name = BackplaneInbox.actorName(incarnations.incrementAndGet(), nodeId);
        s.inbox = sys.systemActorOf(BackplaneInbox.create(s, this), name, MailboxSelector.bounded(INBOX_CAPACITY));
        session = s;
    }

    @Override
    public void broadcast(byte[] frame) {
        Session s = session;
        if (s == null) {
            return;
        }
        BackplaneFrame f = new BackplaneFrame(s.nodeId, frame);
        for (ActorRef<BackplaneInbox.Command> peer : s.peers.values()) {
            tell(peer, f);
        }
    }

    @Override
    public void send(String nodeId, byte[] frame) {
        Session s = session;
        if (s == null) {
            return;
        }
        ActorRef<BackplaneInbox.Command> peer = s.peers.get(nodeId);
        if (peer != null) {
            tell(peer, new BackplaneFrame(s.nodeId, frame));
        }
    }

    private void tell(ActorRef<BackplaneInbox.Command> peer, BackplaneFrame f) {
        peer.tell(f);
        sent.incrementAndGet();
        sentBytes.addAndGet(f.frame().length);
    }

    @Override
    public Set<String> peers() {
        Session s = session;
        return s == null ? Set.of() : s.peers.keySet();
    }

    @Override
    public synchronized void stop() {
        Session s = session;
        if (s == null) {
            return;
        }
        session = null;
        s.open = false;
        s.peers = Map.of();
        if (s.inbox != null) {
            s.inbox.tell(BackplaneInbox.Stop.INSTANCE);
        }
    }

    /** Frames sent to other nodes (one per recipient node). */
    public long framesSent() {
        return sent.get();
    }

    /** Router bytes sent to other nodes (one count per recipient node; Artery's own framing not included). */
    public long bytesSent() {
        return sentBytes.get();
    }

    /** Frames received from other nodes. */
    public long framesReceived() {
        return received.get();
    }

    /** Router bytes received from other nodes. */
    public long bytesReceived() {
        return receivedBytes.get();
    }

    /** Frames for this node that arrived while it was not started (or after it stopped), dropped. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * One start of the backplane: what the inbox actor of that start shares with the sending side. A
     * stopped session's actor calls its receiver no more ({@code open} is checked before each call).
     */
    static final class Session {
        final String nodeId;
        final Receiver receiver;
        volatile boolean open = true;
        /** The reachable peers' inboxes by node id; replaced whole by the inbox actor. */
        volatile Map<String, ActorRef<BackplaneInbox.Command>> peers = Map.of();
        volatile ActorRef<BackplaneInbox.Command> inbox;

        Session(String nodeId, Receiver receiver) {
            this.nodeId = nodeId;
            this.receiver = receiver;
        }
    }
}
