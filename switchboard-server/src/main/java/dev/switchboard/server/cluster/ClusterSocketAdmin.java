package dev.switchboard.server.cluster;

import dev.switchboard.cluster.presence.ClusterPresence;
import dev.switchboard.cluster.presence.NodePresence;
import dev.switchboard.server.api.SocketAdmin;
import dev.switchboard.socketio.SocketIoServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * The HTTP API's view of Socket.IO on a cluster node: rooms and sockets of the whole cluster (this
 * node's from its own server, the others' from the replicated presence, at most a few seconds old);
 * every other operation is already cluster-wide through the fabric and passes through. A remote
 * socket's handshake carries what presence replicates (address, transport, time), nothing else.
 */
final class ClusterSocketAdmin implements SocketAdmin {

    private final SocketAdmin local;
    private final SocketIoServer io;
    private final ClusterPresence presence;
    private final String nodeId;

    ClusterSocketAdmin(SocketAdmin local, SocketIoServer io, ClusterPresence presence, String nodeId) {
        this.local = local;
        this.io = io;
        this.presence = presence;
        this.nodeId = nodeId;
    }

    private List<NodePresence.SocketPresence> remote(String namespace) {
        List<NodePresence.SocketPresence> out = new ArrayList<>();
        for (NodePresence p : presence.nodes()) {
            if (!p.nodeId().equals(nodeId)) {
                out.addAll(p.namespaces().getOrDefault(namespace, List.of()));
            }
        }
        return out;
    }

    @Override
    public List<NamespaceInfo> namespaces() {
        return local.namespaces();
    }

    @Override
    public Optional<List<RoomInfo>> rooms(String namespace) {
        Optional<List<RoomInfo>> here = local.rooms(namespace);
        if (here.isEmpty()) {
            return here;
        }
        Map<String, Integer> counts = new TreeMap<>();
        here.get().forEach(r -> counts.put(r.name(), r.members()));
        for (NodePresence.SocketPresence s : remote(namespace)) {
            s.rooms().forEach(r -> counts.merge(r, 1, Integer::sum));
        }
        List<RoomInfo> out = new ArrayList<>();
        counts.forEach((name, n) -> out.add(new RoomInfo(name, n)));
        return Optional.of(out);
    }

    @Override
    public Optional<List<SocketInfo>> sockets(String namespace, Optional<String> room) {
        Optional<List<SocketInfo>> here = local.sockets(namespace, room);
        if (here.isEmpty()) {
            return here;
        }
        List<SocketInfo> out = new ArrayList<>(here.get());
        for (NodePresence.SocketPresence s : remote(namespace)) {
            if (room.isEmpty() || s.rooms().contains(room.get())) {
                out.add(new SocketInfo(s.id(), namespace, s.rooms(), new Handshake(s.remoteAddress(), s.transport(),
                        s.connectedAt(), 0, "", Map.of(), Map.of(), Map.of())));
            }
        }
        out.sort(Comparator.comparing(SocketInfo::id));
        return Optional.of(out);
    }

    @Override
    public boolean disconnect(String namespace, String socketId, boolean close) {
        if (local.disconnect(namespace, socketId, close)) {
            return true;
        }
        if (remote(namespace).stream().noneMatch(s -> s.id().equals(socketId))) {
            return false;
        }
        // Another node's socket: its id is a room, and disconnectSockets reaches every node.
        io.of(namespace).in(socketId).disconnectSockets(close);
        return true;
    }

    @Override
    public int join(String namespace, Selection selection, Set<String> rooms) {
        return local.join(namespace, selection, rooms);
    }

    @Override
    public int leave(String namespace, Selection selection, Set<String> rooms) {
        return local.leave(namespace, selection, rooms);
    }

    @Override
    public int publish(String namespace, Set<String> rooms, Set<String> except, String event, List<Object> args) {
        return local.publish(namespace, rooms, except, event, args);
    }

    @Override
    public CompletionStage<AckResult> publishWithAck(String namespace, Set<String> rooms, Set<String> except,
                                                     String event, List<Object> args, Duration timeout) {
        return local.publishWithAck(namespace, rooms, except, event, args, timeout);
    }
}
