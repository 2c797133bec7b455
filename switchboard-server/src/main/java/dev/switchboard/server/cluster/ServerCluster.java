package dev.switchboard.server.cluster;

import dev.switchboard.cluster.ClusterSettings;
import dev.switchboard.cluster.SwitchboardCluster;
import dev.switchboard.cluster.membership.ClusterView;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.server.config.ServerConfig;
import dev.switchboard.server.health.Health;
import io.micrometer.core.instrument.MeterRegistry;
import dev.switchboard.cluster.presence.ClusterPresence;
import dev.switchboard.cluster.presence.NodePresence;
import dev.switchboard.server.api.SocketAdmin;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
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

    /**
     * Publishes this node's Socket.IO sockets to the cluster's presence and returns the HTTP API's view
     * of the whole cluster over {@code local}.
     *
     * @param userIds the user id a socket authenticated as, or null
     */
    public static SocketAdmin presence(SwitchboardCluster cluster, SwitchboardNode node, SocketIoServer io,
                                       SocketAdmin local, Function<Socket, String> userIds) {
        ClusterPresence presence = cluster.presence(() -> {
            Map<String, List<NodePresence.SocketPresence>> out = new TreeMap<>();
            for (Namespace ns : io.namespaces()) {
                List<NodePresence.SocketPresence> sockets = new ArrayList<>();
                for (Socket s : ns.sockets().values()) {
                    Set<String> rooms = new HashSet<>(s.rooms());
                    rooms.remove(s.id());
                    String user = userIds.apply(s);
                    sockets.add(new NodePresence.SocketPresence(s.id(), user == null ? "" : user, rooms,
                            s.handshake().address(), s.transport(), s.handshake().time()));
                }
                sockets.sort(Comparator.comparing(NodePresence.SocketPresence::id));
                out.put(ns.name(), sockets);
            }
            return out;
        });
        return new ClusterSocketAdmin(local, io, presence, node.config().nodeId());
    }

    static Health.Status status(ClusterView v) {
        String detail = v.status() + " as " + v.self() + "; " + v.members().size() + " members, " + v.unreachable()
                + " unreachable: " + v.members().stream()
                        .map(m -> m.address() + " " + m.status() + (m.reachable() ? "" : " unreachable"))
                        .collect(Collectors.joining(", "));
        return new Health.Status(v.ready(), detail);
    }
}
