package dev.switchboard.cluster.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide presence on Distributed Data: one replicated map, node id → {@link NodePresence}, each
 * entry written only by its node. Every {@code interval} this node reads its own sockets from a
 * {@code source} and, if they changed, writes its entry (locally; gossip spreads it, and subscribers see
 * it within Distributed Data's gossip and notify intervals, about 2 s). When a member is removed, every
 * node that sees it deletes that member's entry; readers meanwhile ignore entries of nodes that are not
 * members (so there is no zombie even before the deletion has spread).
 *
 * <p>Threading: the actor owns the writes; {@link #nodes()} reads a volatile snapshot from any thread.
 * Size: each change re-sends this node's whole entry, so it suits thousands of sockets per node, not
 * millions (one top-level key whatever the count).
 */
public final class ClusterPresence {

    private static final Logger log = LoggerFactory.getLogger(ClusterPresence.class);

    static final Key<LWWMap<String, NodePresence>> KEY = LWWMapKey.create("switchboard-presence");

    /** What a node connects: namespace → its sockets here, sorted by id (so unchanged means equal). */
    public interface Source extends Supplier<Map<String, List<NodePresence.SocketPresence>>> {}

    private volatile Map<String, NodePresence> entries = Map.of();
    /** Unique addresses ({@code host:port#uid}) of the current members. */
    private volatile Set<String> members = Set.of();

    /** Every member node's entry, this node's included, as replicated here; a snapshot. */
    public List<NodePresence> nodes() {
        Set<String> live = members;
        List<NodePresence> out = new ArrayList<>();
        for (NodePresence p : entries.values()) {
            if (live.contains(p.address())) {
                out.add(p);
            }
        }
        return out;
    }

    private interface Command {}

    private enum Tick implements Command { INSTANCE }

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, NodePresence>> response) implements Command {}

    private record Updated(Replicator.UpdateResponse<LWWMap<String, NodePresence>> response) implements Command {}

    private record MembershipChanged(ClusterEvent.MemberEvent event) implements Command {}

    /** The behavior to spawn (once) in the node's actor system. */
    public Behavior<?> behavior(String nodeId, Duration interval, Source source) {
        return Behaviors.<Command>setup(ctx -> DistributedData.<Command, LWWMap<String, NodePresence>>withReplicatorMessageAdapter(
                replicator -> Behaviors.withTimers(timers -> {
                    Cluster cluster = Cluster.get(ctx.getSystem());
                    SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
                    String address = unique(cluster.selfMember().uniqueAddress());
                    replicator.subscribe(KEY, Changed::new);
                    cluster.subscriptions().tell(Subscribe.create(
                            ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new),
                            ClusterEvent.MemberEvent.class));
                    timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
                    NodePresence[] published = {null};
                    return Behaviors.receive(Command.class)
                            .onMessageEquals(Tick.INSTANCE, () -> {
                                publish(replicator, self, nodeId, address, source, published);
                                return Behaviors.same();
                            })
                            .onMessage(Changed.class, c -> {
                                if (c.response() instanceof Replicator.Changed<LWWMap<String, NodePresence>> ch) {
                                    entries = Map.copyOf(ch.get(KEY).getEntries());
                                }
                                return Behaviors.same();
                            })
                            .onMessage(Updated.class, u -> Behaviors.same())
                            .onMessage(MembershipChanged.class, m -> onMembership(ctx, cluster, replicator, self,
                                    m.event()))
                            .build();
                })));
    }

    private void publish(ReplicatorMessageAdapter<Command, LWWMap<String, NodePresence>> replicator,
                         SelfUniqueAddress self, String nodeId, String address, Source source,
                         NodePresence[] published) {
        NodePresence now;
        try {
            now = new NodePresence(nodeId, address, source.get());
        } catch (RuntimeException e) {
            log.warn("presence of node {}: reading its sockets failed: {}", nodeId, e.toString());
            return;
        }
        if (now.equals(published[0])) {
            return;
        }
        published[0] = now;
        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.create(), Replicator.writeLocal(),
                replyTo, map -> map.put(self, nodeId, now)), Updated::new);
    }

    private Behavior<Command> onMembership(ActorContext<Command> ctx, Cluster cluster,
                                           ReplicatorMessageAdapter<Command, LWWMap<String, NodePresence>> replicator,
                                           SelfUniqueAddress self, ClusterEvent.MemberEvent event) {
        Set<String> live = new HashSet<>();
        for (Member m : cluster.state().getMembers()) {
            live.add(unique(m.uniqueAddress()));
        }
        if (event instanceof ClusterEvent.MemberRemoved removed) {
            live.remove(unique(removed.member().uniqueAddress()));
            String gone = unique(removed.member().uniqueAddress());
            List<String> stale = new ArrayList<>();
            new HashMap<>(entries).forEach((node, p) -> {
                if (p.address().equals(gone)) {
                    stale.add(node);
                }
            });
            if (!stale.isEmpty()) {
                replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.create(), Replicator.writeLocal(),
                        replyTo, map -> {
                            LWWMap<String, NodePresence> m = map;
                            for (String node : stale) {
                                m = m.remove(self, node);
                            }
                            return m;
                        }), Updated::new);
                log.info("presence: entries of removed member {} (nodes {}) dropped", gone, stale);
            }
        }
        members = Set.copyOf(live);
        return Behaviors.same();
    }

    static String unique(UniqueAddress a) {
        return a.address().host().getOrElse(() -> "?") + ":" + a.address().port().getOrElse(() -> 0) + "#" + a.longUid();
    }
}
