package dev.switchboard.cluster.backplane;

import dev.switchboard.core.spi.Backplane;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's end of the backplane: registered with the cluster receptionist under {@link #KEY}, it
 * receives the other nodes' frames and hands them to the router's receiver, and it turns the
 * receptionist's listings into the peer snapshot the sending side reads.
 *
 * <p>The actor is named {@code backplane-<incarnation>-<nodeId>}, so a listing tells each peer's node id
 * without asking it. Receiver calls happen on this actor, one at a time: in order per sending node, as
 * the SPI promises.
 */
final class BackplaneInbox {

    private static final Logger log = LoggerFactory.getLogger(BackplaneInbox.class);

    /** Every node's inbox, cluster-wide. */
    static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "switchboard-backplane");

    private static final String PREFIX = "backplane-";

    /** What an inbox receives: {@link BackplaneFrame}s from other nodes (the only kind that crosses Artery). */
    sealed interface Command permits BackplaneFrame, Stop, PeersChanged {}

    /** Ends this incarnation. */
    enum Stop implements Command { INSTANCE }

    private record PeersChanged(Receptionist.Listing listing) implements Command {}

    private BackplaneInbox() {}

    static String actorName(int incarnation, String nodeId) {
        return PREFIX + incarnation + "-" + nodeId;
    }

    /** The node id in an inbox's actor name; null for a name of another shape. */
    static String nodeIdOf(String actorName) {
        if (!actorName.startsWith(PREFIX)) {
            return null;
        }
        int dash = actorName.indexOf('-', PREFIX.length());
        return dash < 0 ? null : actorName.substring(dash + 1);
    }

    static Behavior<Command> create(ClusterBackplane.Session session, ClusterBackplane backplane) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY,
                    ctx.messageAdapter(Receptionist.Listing.class, PeersChanged::new)));
            // Frames refused by the bounded mailbox become dead letters: counted by a child with a
            // mailbox of its own (this one is the full one).
            org.apache.pekko.actor.ActorRef classicSelf = Adapter.toClassic(ctx.getSelf());
            ActorRef<DeadLetter> counter = ctx.spawn(Behaviors.receiveMessage((DeadLetter dl) -> {
                if (dl.recipient().equals(classicSelf) && dl.message() instanceof BackplaneFrame) {
                    long n = backplane.dropped.incrementAndGet();
                    if (Long.bitCount(n) == 1) {
                        log.warn("backplane of node {}: inbox full ({} frames), {} frames dropped so far",
                                session.nodeId, ClusterBackplane.INBOX_CAPACITY, n);
                    }
                }
                return Behaviors.same();
            }), "dropped");
            ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, counter));
            return Behaviors.receive(Command.class)
                    .onMessage(BackplaneFrame.class, f -> onFrame(session, backplane, f))
                    .onMessage(PeersChanged.class, p -> onListing(session, ctx.getSelf(), p.listing()))
                    .onMessageEquals(Stop.INSTANCE, () -> {
                        ctx.getSystem().receptionist().tell(Receptionist.deregister(KEY, ctx.getSelf()));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }

    private static Behavior<Command> onFrame(ClusterBackplane.Session session, ClusterBackplane backplane,
                                             BackplaneFrame f) {
        if (!session.open) {
            backplane.dropped.incrementAndGet();
            return Behaviors.same();
        }
        backplane.received.incrementAndGet();
        backplane.receivedBytes.addAndGet(f.frame().length);
        try {
            session.receiver.receive(f.fromNode(), f.frame());
        } catch (RuntimeException e) {
            log.warn("backplane of node {}: receiver failed on a frame from node {}: {}", session.nodeId,
                    f.fromNode(), e.toString());
        }
        return Behaviors.same();
    }

    private static Behavior<Command> onListing(ClusterBackplane.Session session, ActorRef<Command> self,
                                               Receptionist.Listing listing) {
        if (!listing.isForKey(KEY) || !session.open) {
            return Behaviors.same();
        }
        Map<String, ActorRef<Command>> peers = new HashMap<>();
        // Reachable inboxes only: a request never waits for a node that cannot answer.
        for (ActorRef<Command> ref : listing.getServiceInstances(KEY)) {
            String node = nodeIdOf(ref.path().name());
            if (node != null && !ref.equals(self) && !node.equals(session.nodeId)) {
                peers.put(node, ref);
            }
        }
        Set<String> gone = new HashSet<>(session.peers.keySet());
        gone.removeAll(peers.keySet());
        session.peers = Map.copyOf(peers);
        Backplane.Receiver receiver = session.receiver;
        for (String node : gone) {
            log.info("backplane of node {}: peer {} gone ({} peers)", session.nodeId, node, peers.size());
            receiver.peerLeft(node);
        }
        return Behaviors.same();
    }
}
