package dev.switchboard.socketio;

import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A namespace: sockets, middleware, rooms. Itself a {@link BroadcastOperator} targeting all its
 * sockets. Thread-safe.
 */
public interface Namespace extends BroadcastOperator {

    /** The name, e.g. {@code /} or {@code /chat}. For a dynamic parent, the pattern it matches. */
    String name();

    /** Adds middleware, run for each new socket in registration order. Returns this namespace. */
    Namespace use(Middleware middleware);

    /**
     * Registers a listener for {@code connection} (or its alias {@code connect}), called on the socket's
     * event loop once the socket is connected.
     */
    Namespace on(String event, Consumer<Socket> listener);

    /** The connected sockets of this node, by id; a snapshot. */
    Map<String, Socket> sockets();

    /** The socket with that id, or {@code null}. */
    Socket socket(String id);

    /** The rooms with at least one socket, with their number of sockets; a snapshot. */
    Map<String, Integer> rooms();

    /** For a dynamic parent namespace: the child namespaces created so far; empty otherwise. */
    Collection<Namespace> children();
}
