package dev.switchboard.server.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The operations the HTTP API offers on the live Socket.IO server, as the API needs them. The server
 * implements it over the Socket.IO Java API; {@link HttpApi} only validates, authorises and renders.
 *
 * <p>Namespaces are named as in Socket.IO ("/", "/chat"). Methods may be called from any thread.
 */
public interface SocketAdmin {

    List<NamespaceInfo> namespaces();

    /** Rooms of a namespace with member counts; empty when the namespace does not exist. */
    Optional<List<RoomInfo>> rooms(String namespace);

    /** Sockets of a namespace, or of one room of it when {@code room} is present; empty when the namespace does not exist. */
    Optional<List<SocketInfo>> sockets(String namespace, Optional<String> room);

    /**
     * Disconnects one socket as {@code socket.disconnect(close)} does: the client sees
     * "io server disconnect". Returns false when no such socket is connected.
     */
    boolean disconnect(String namespace, String socketId, boolean close);

    /** Makes the selected sockets join the rooms; returns how many sockets were selected. */
    int join(String namespace, Selection selection, Set<String> rooms);

    /** Makes the selected sockets leave the rooms; returns how many sockets were selected. */
    int leave(String namespace, Selection selection, Set<String> rooms);

    /**
     * Emits {@code event} with {@code args} exactly as {@code io.of(namespace).to(rooms).except(except).emit(...)}:
     * to every socket of the namespace when {@code rooms} is empty. Arguments are JSON-shaped Java values
     * (Map, List, String, Number, Boolean, null). Returns the number of local recipients when known, else -1.
     */
    int publish(String namespace, Set<String> rooms, Set<String> except, String event, List<Object> args);

    /**
     * {@link #publish} asking every recipient for an acknowledgement, as
     * {@code io.of(namespace).to(rooms).except(except).timeout(timeout).emitWithAck(...)}. Completes with
     * the answers when every recipient answered, or with those that came when {@code timeout} ran out
     * ({@link AckResult#timedOut()}); never fails for a timeout.
     */
    CompletionStage<AckResult> publishWithAck(String namespace, Set<String> rooms, Set<String> except, String event,
                                              List<Object> args, Duration timeout);

    /** The answers to a publish with acknowledgements: the first argument of each client's answer. */
    record AckResult(int expected, List<Object> responses, boolean timedOut) {
        public AckResult {
            responses = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(responses));
        }
    }

    /** Which sockets an operation applies to: these ids, or the members of these rooms, or (both empty) all. */
    record Selection(Set<String> socketIds, Set<String> inRooms) {
        public Selection {
            socketIds = Set.copyOf(socketIds);
            inRooms = Set.copyOf(inRooms);
        }

        public boolean all() {
            return socketIds.isEmpty() && inRooms.isEmpty();
        }
    }

    record NamespaceInfo(String name, int sockets, int rooms) {}

    record RoomInfo(String name, int members) {}

    record SocketInfo(String id, String namespace, Set<String> rooms, Handshake handshake) {
        public SocketInfo {
            rooms = Set.copyOf(rooms);
        }
    }

    /**
     * What the client sent when it connected, as socket.io's {@code socket.handshake}: {@code time} is
     * ISO-8601, {@code issued} epoch milliseconds. Credentials (authorization, cookie) are never exposed.
     */
    record Handshake(
            String address,
            String transport,
            String time,
            long issued,
            String url,
            Map<String, String> query,
            Map<String, String> headers,
            Map<String, Object> auth) {}
}
