package dev.switchboard.cluster.membership;

import java.util.List;

/**
 * What this node knows of its cluster at one moment, for {@code /health/ready} and {@code /metrics}.
 *
 * @param self    this node's address ({@code host:port})
 * @param status  this node's member status as Pekko names it ({@code joining}, {@code up}, {@code leaving},
 *                {@code exiting}, {@code down}, {@code removed}), {@code joining} before it joined
 * @param members every member this node sees, itself included
 */
public record ClusterView(String self, String status, List<Member> members) {

    public ClusterView {
        members = List.copyOf(members);
    }

    /** One member: its address, status and whether this node can reach it now. */
    public record Member(String address, String status, boolean reachable) {}

    /** Members that this node cannot reach now. */
    public long unreachable() {
        return members.stream().filter(m -> !m.reachable()).count();
    }

    /** Members with status {@code up}. */
    public long up() {
        return members.stream().filter(m -> m.status().equals("up")).count();
    }

    /**
     * Whether this node should take traffic as a cluster member: it is up (or weakly up) in the cluster.
     * A node that was downed or removed (the minority side of a partition) is not, and stays so until
     * restarted: a removed member cannot join again with the same actor system.
     */
    public boolean ready() {
        return status.equals("up") || status.equals("weaklyup") || status.equals("leaving");
    }
}
