package dev.switchboard.socketio;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

    /**
     * Sends an event to the other servers of the cluster (not to clients): their
     * {@link #onServerSideEmit} listeners of this namespace receive it. A no-op on a node alone.
     *
     * @throws UnsupportedOperationException on a dynamic parent namespace (as socket.io)
     */
    void serverSideEmit(String event, Object... args);

    /**
     * {@link #serverSideEmit} asking each other server for an answer: completes with the first argument
     * of each server's answer once every server answered, or fails with {@link AckTimeoutException}
     * (holding the answers that came) after {@code timeout}. A server without a listener for the event
     * answers nothing and is not waited for.
     */
    CompletableFuture<List<Object>> serverSideEmitWithAck(Duration timeout, String event, Object... args);

    /**
     * Listens to events other servers send with {@link #serverSideEmit}. The listener runs on the
     * backplane's receiving thread (do not block); {@code ack.send(answer)} answers a
     * {@link #serverSideEmitWithAck}.
     */
    Namespace onServerSideEmit(String event, EventListener listener);
}
