package dev.switchboard.socketio;

import java.util.Map;
import java.util.Set;

/**
 * A socket as {@link BroadcastOperator#fetchAllSockets()} describes it, on whichever node it is
 * connected (socket.io's {@code RemoteSocket}, without methods: act on it through the operators, e.g.
 * {@code io.in(socket.id()).socketsJoin("room")}, which reach every node).
 *
 * @param id        the socket id
 * @param namespace its namespace
 * @param rooms     its rooms (its own id included), when it was described
 * @param data      its {@code socket.data()} as JSON values
 * @param nodeId    the node it is connected to
 */
public record RemoteSocket(String id, String namespace, Set<String> rooms, Map<String, Object> data, String nodeId) {

    public RemoteSocket {
        rooms = Set.copyOf(rooms);
        data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }
}
