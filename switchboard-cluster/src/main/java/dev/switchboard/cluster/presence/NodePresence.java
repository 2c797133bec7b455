package dev.switchboard.cluster.presence;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is connected to one node, as that node last published it: its sockets per namespace. One entry of
 * the cluster-wide presence map, written only by its own node (so last-writer-wins never loses a
 * concurrent write). Serialized by {@link PresenceSerializer}.
 *
 * @param nodeId     the node's id in the fabric
 * @param address    the node's cluster address ({@code host:port}): its entry is dropped when that member
 *                   is removed
 * @param namespaces namespace name → its sockets on this node
 */
public record NodePresence(String nodeId, String address, Map<String, List<SocketPresence>> namespaces) {

    public NodePresence {
        namespaces = Map.copyOf(namespaces);
    }

    /**
     * One socket: its id, the user id it authenticated as ({@code ""} when not), its rooms (its own
     * room, named by its id, left out), where it connected from and how.
     */
    public record SocketPresence(String id, String userId, Set<String> rooms, String remoteAddress, String transport,
                                 String connectedAt) {
        public SocketPresence {
            rooms = Set.copyOf(rooms);
        }
    }
}
