package dev.switchboard.cluster.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the cluster's membership and reachability: logs one line per change (the operator's record of
 * who joined, left, became unreachable or was downed) and publishes a {@link ClusterView} after each.
 * Runs as a supervised actor of the node ({@code cluster-membership}); the view is read from any thread.
 */
public final class ClusterMembership {

    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

    private volatile ClusterView view = new ClusterView("?", "joining", List.of());

    /** The latest view; a snapshot. */
    public ClusterView view() {
        return view;
    }

    /** The behavior to spawn (once) in the node's actor system. */
    public Behavior<ClusterEvent.ClusterDomainEvent> behavior() {
        return Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.subscriptions().tell(Subscribe.create(ctx.getSelf(), ClusterEvent.ClusterDomainEvent.class));
            publish(cluster);
            log.info("cluster: node {} starting, seed nodes {}", address(cluster.selfMember().address()),
                    ctx.getSystem().settings().config().getStringList("pekko.cluster.seed-nodes"));
            return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class)
                    .onMessage(ClusterEvent.ClusterDomainEvent.class, e -> onEvent(ctx, cluster, e))
                    .build();
        });
    }

    private Behavior<ClusterEvent.ClusterDomainEvent> onEvent(ActorContext<?> ctx, Cluster cluster,
                                                            ClusterEvent.ClusterDomainEvent e) {
        String line = describe(e);
        ClusterView v = publish(cluster);
        if (line != null) {
            log.info("cluster: {} ({} members, {} unreachable)", line, v.members().size(), v.unreachable());
        }
        return Behaviors.same();
    }

    /** One line for the changes an operator acts on; null for the rest (leader changes, gossip details). */
    private static String describe(ClusterEvent.ClusterDomainEvent e) {
        if (e instanceof ClusterEvent.MemberUp m) {
            return "member " + address(m.member().address()) + " up";
        } else if (e instanceof ClusterEvent.MemberJoined m) {
            return "member " + address(m.member().address()) + " joining";
        } else if (e instanceof ClusterEvent.MemberWeaklyUp m) {
            return "member " + address(m.member().address()) + " weakly up (not every member reachable)";
        } else if (e instanceof ClusterEvent.MemberLeft m) {
            return "member " + address(m.member().address()) + " leaving";
        } else if (e instanceof ClusterEvent.MemberExited m) {
            return "member " + address(m.member().address()) + " exiting";
        } else if (e instanceof ClusterEvent.MemberDowned m) {
            return "member " + address(m.member().address()) + " downed";
        } else if (e instanceof ClusterEvent.MemberRemoved m) {
            return "member " + address(m.member().address()) + " removed (was " + status(m.previousStatus()) + ")";
        } else if (e instanceof ClusterEvent.UnreachableMember m) {
            return "member " + address(m.member().address()) + " unreachable";
        } else if (e instanceof ClusterEvent.ReachableMember m) {
            return "member " + address(m.member().address()) + " reachable again";
        }
        return null;
    }

    private ClusterView publish(Cluster cluster) {
        var state = cluster.state();
        java.util.Set<Member> unreachable = state.getUnreachable();
        List<ClusterView.Member> members = new ArrayList<>();
        for (Member m : state.getMembers()) {
            members.add(new ClusterView.Member(address(m.address()), status(m.status()), !unreachable.contains(m)));
        }
        Member self = cluster.selfMember();
        ClusterView v = new ClusterView(address(self.address()), status(self.status()), members);
        view = v;
        return v;
    }

    static String address(Address a) {
        return a.host().isDefined() ? a.host().get() + ":" + a.port().get() : a.toString();
    }

    static String status(MemberStatus s) {
        return s.toString().toLowerCase(Locale.ROOT);
    }
}
