package dev.switchboard.cluster;

import dev.switchboard.cluster.backplane.ClusterBackplane;
import dev.switchboard.cluster.membership.ClusterMembership;
import dev.switchboard.cluster.membership.ClusterView;
import dev.switchboard.cluster.presence.ClusterPresence;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.node.SwitchboardNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * A node as a member of a Pekko cluster: membership (logged, with a {@link ClusterView} for health and
 * metrics) and the fabric's backplane over the cluster.
 *
 * <pre>{@code
 * ClusterSettings settings = new ClusterSettings("127.0.0.1", 2551, List.of("127.0.0.1:2551"), Duration.ofSeconds(20));
 * SwitchboardNode node = SwitchboardNode.start(SwitchboardCluster.configure(NodeConfig.builder().name("switchboard"),
 *         "switchboard", settings).build());
 * SwitchboardCluster cluster = SwitchboardCluster.attach(node, registry);
 * }</pre>
 */
public final class SwitchboardCluster {

    /** The component name of the membership follower in the node's health. */
    public static final String MEMBERSHIP = "cluster-membership";

    /** The component name of the presence replicator in the node's health. */
    public static final String PRESENCE = "cluster-presence";

    /**
     * How often this node compares its sockets with what it last published: with Distributed Data's
     * gossip (about 2 s) a change is seen everywhere within 5 s.
     */
    public static final java.time.Duration PRESENCE_INTERVAL = java.time.Duration.ofSeconds(1);

    private final SwitchboardNode node;
    private final ClusterMembership membership;
    private final ClusterBackplane backplane;
    private final ClusterPresence presence = new ClusterPresence();

    private SwitchboardCluster(SwitchboardNode node, ClusterMembership membership, ClusterBackplane backplane) {
        this.node = node;
        this.membership = membership;
        this.backplane = backplane;
    }

    /**
     * Starts publishing this node's sockets, read from {@code source} every {@link #PRESENCE_INTERVAL}
     * (on an actor: the source must be thread-safe and cheap), to the cluster-wide presence.
     */
    public ClusterPresence presence(ClusterPresence.Source source) {
        node.spawn(PRESENCE, presence.behavior(node.config().nodeId(), PRESENCE_INTERVAL, source),
                SupervisionPolicy.restartWithBackoff());
        return presence;
    }

    /** Cluster-wide presence (empty until {@link #presence(ClusterPresence.Source)} started it). */
    public ClusterPresence presence() {
        return presence;
    }

    /**
     * Makes {@code builder} build the config of a cluster node: its actor system joins the cluster of
     * {@code settings}, and its backplane is a new {@link ClusterBackplane}.
     *
     * @param systemName the name the builder is given (the actor system's; the same on every node)
     */
    public static NodeConfig.Builder configure(NodeConfig.Builder builder, String systemName, ClusterSettings settings) {
        return builder.name(systemName).pekko(settings.pekko(systemName)).backplane(new ClusterBackplane());
    }

    /**
     * Follows the membership of {@code node} (built by {@link #configure}) as a supervised actor, and
     * registers the cluster's meters in {@code registry}.
     */
    public static SwitchboardCluster attach(SwitchboardNode node, MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (!(node.config().backplane() instanceof ClusterBackplane backplane)) {
            throw new IllegalArgumentException("node " + node.config().nodeId()
                    + " was not configured by SwitchboardCluster.configure");
        }
        ClusterMembership membership = new ClusterMembership();
        node.spawn(MEMBERSHIP, membership.behavior(), SupervisionPolicy.restartWithBackoff());
        SwitchboardCluster cluster = new SwitchboardCluster(node, membership, backplane);
        cluster.bindMeters(registry);
        return cluster;
    }

    /** Who is in the cluster now, as this node sees it. */
    public ClusterView view() {
        return membership.view();
    }

    public ClusterBackplane backplane() {
        return backplane;
    }

    private void bindMeters(MeterRegistry registry) {
        Gauge.builder("switchboard.cluster.members", this, c -> c.view().members().size())
                .description("members of the cluster as this node sees them, itself included").register(registry);
        Gauge.builder("switchboard.cluster.members.up", this, c -> c.view().up())
                .description("members with status up").register(registry);
        Gauge.builder("switchboard.cluster.unreachable", this, c -> c.view().unreachable())
                .description("members this node cannot reach now").register(registry);
        Gauge.builder("switchboard.cluster.ready", this, c -> c.view().ready() ? 1 : 0)
                .description("1 while this node is an up member of the cluster").register(registry);
        FunctionCounter.builder("switchboard.cluster.backplane.frames.sent", backplane, ClusterBackplane::framesSent)
                .description("frames sent to other nodes, one per recipient node").register(registry);
        FunctionCounter.builder("switchboard.cluster.backplane.bytes.sent", backplane, ClusterBackplane::bytesSent)
                .baseUnit("bytes").description("router bytes sent to other nodes, one count per recipient node")
                .register(registry);
        FunctionCounter.builder("switchboard.cluster.backplane.frames.received", backplane,
                ClusterBackplane::framesReceived).description("frames received from other nodes").register(registry);
        FunctionCounter.builder("switchboard.cluster.backplane.bytes.received", backplane,
                ClusterBackplane::bytesReceived).baseUnit("bytes").register(registry);
        FunctionCounter.builder("switchboard.cluster.backplane.frames.dropped", backplane, ClusterBackplane::dropped)
                .description("frames dropped: inbox full, or arrived while the backplane was stopped")
                .register(registry);
    }
}
