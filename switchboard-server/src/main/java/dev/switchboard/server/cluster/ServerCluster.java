package dev.switchboard.server.cluster;

import dev.switchboard.cluster.ClusterSettings;
import dev.switchboard.cluster.SwitchboardCluster;
import dev.switchboard.cluster.membership.ClusterView;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.server.config.ServerConfig;
import dev.switchboard.server.health.Health;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.stream.Collectors;

/**
 * The server as a member of a Pekko cluster ({@code switchboard.cluster.enabled}): its node joins the
 * cluster, and {@code /health/ready} gets a {@code cluster} component that is up while this node is an up
 * member, with the members and their reachability in its detail.
 */
public final class ServerCluster {

    /** The actor system's name: the same on every node of a cluster (Pekko addresses include it). */
    public static final String SYSTEM_NAME = "switchboard";

    private ServerCluster() {}

    public static NodeConfig.Builder configure(NodeConfig.Builder builder, ServerConfig.Cluster c) {
        return SwitchboardCluster.configure(builder, SYSTEM_NAME,
                new ClusterSettings(c.host(), c.port(), c.seedNodes(), c.stableAfter()));
    }

    public static SwitchboardCluster attach(SwitchboardNode node, Health health, MeterRegistry registry) {
        SwitchboardCluster cluster = SwitchboardCluster.attach(node, registry);
        health.register("cluster", () -> status(cluster.view()));
        return cluster;
    }

    static Health.Status status(ClusterView v) {
        String detail = v.status() + " as " + v.self() + "; " + v.members().size() + " members, " + v.unreachable()
                + " unreachable: " + v.members().stream()
                        .map(m -> m.address() + " " + m.status() + (m.reachable() ? "" : " unreachable"))
                        .collect(Collectors.joining(", "));
        return new Health.Status(v.ready(), detail);
    }
}
