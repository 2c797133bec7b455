package dev.switchboard.socketio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One client in one namespace (socket.io's server-side {@code Socket}).
 *
 * <p>Threading: every socket belongs to the event loop of its Engine.IO connection; its listeners and
 * middleware run there, one at a time. The methods may be called from any thread: writes and state
 * changes hop onto that loop, so their effects follow the order of the calls made from one thread.
 */
public interface Socket {

    /** The socket id, which is also the room only this socket is in. Survives recovery. */
    String id();

    /** The namespace name, e.g. {@code /chat}. */
    String namespace();

    Handshake handshake();

    /** {@code polling} or {@code websocket}, as now. */
    String transport();

    /** Whether this socket was restored by connection state recovery. */
    boolean recovered();

    /** Whether the socket is connected to its namespace. */
    boolean connected();

    /** Free-form data kept with the socket ({@code socket.data}); restored on recovery. Thread-safe. */
    Map<String, Object> data();

    /** The rooms the socket is in (its own id included); a snapshot. */
    Set<String> rooms();

    void join(String... rooms);

    void leave(String room);

    /** Emits to this client. {@code args}: Jackson-serialisable values; {@code byte[]} as binary. */
    void emit(String event, Object... args);

    /** Emits unless the client cannot take it now (buffer full), in which case the packet is dropped. */
    void emitVolatile(String event, Object... args);

    /**
     * Emits and completes with the arguments of the client's acknowledgement, or fails with
     * {@link AckTimeoutException} after {@code timeout}, or with {@link SocketIoException} if the socket
     * disconnects first.
     */
    CompletableFuture<List<Object>> emitWithAck(Duration timeout, String event, Object... args);

    /** Every other socket of the namespace (socket.io's {@code socket.broadcast}). */
    BroadcastOperator broadcast();

    /** The sockets in these rooms, this socket excluded (socket.io's {@code socket.to}). */
    BroadcastOperator to(String... rooms);

    /**
     * Registers a listener for {@code event}, run on the socket's event loop. If it throws, the error
     * is logged once (socket, namespace, event) and given to {@link #onError} listeners, the client is
     * answered with an error ack if it asked for one and the listener had not answered
     * ({@link SocketIoConfig#handlerErrorAck()}), and the connection stays open. A listener that holds
     * the loop past the runner's threshold (100 ms by default) is named in a warning: declare it with
     * {@link #onBlocking} instead.
     */
    Socket on(String event, EventListener listener);

    /**
     * Registers a listener for {@code event} that may block (I/O, a database, a remote call): it runs on
     * the node's bounded worker pool, never on the event loop, so other sockets are not delayed. Its
     * arguments are converted before it is queued; {@code ack.send}, emits, joins and the other socket
     * methods are safe from it (they hop onto the socket's loop). Listeners of one event registered with
     * {@link #on} run first, on the loop; blocking listeners of one socket may run concurrently with each
     * other. When the pool is full the listener is not run: the refusal is logged and counted once, given
     * to {@link #onError} listeners, and answered with an error ack if one was asked. Failures as {@link #on}.
     *
     * <pre>{@code
     * socket.onBlocking("report", (args, ack) -> ack.send(reports.render((String) args.get(0))));
     * }</pre>
     */
    Socket onBlocking(String event, EventListener listener);

    /** Registers a listener that receives the first argument converted to {@code type} by Jackson. */
    <T> Socket on(String event, Class<T> type, TypedEventListener<T> listener);

    /** A listener called for the next {@code event} only. */
    Socket once(String event, EventListener listener);

    /** Removes one listener (the instance given to {@link #on}/{@link #once}). */
    Socket off(String event, EventListener listener);

    /** Removes every listener of {@code event}. */
    Socket off(String event);

    Socket onAny(AnyListener listener);

    Socket offAny(AnyListener listener);

    Socket onAnyOutgoing(AnyListener listener);

    Socket offAnyOutgoing(AnyListener listener);

    /** Adds per-packet middleware. */
    Socket use(PacketMiddleware middleware);

    /** Errors of per-packet middleware and of listeners. */
    Socket onError(Consumer<Throwable> listener);

    /** Called when the socket is about to leave; {@link #rooms()} still holds its rooms. */
    Socket onDisconnecting(Consumer<DisconnectReason> listener);

    /** Called once the socket left its namespace. */
    Socket onDisconnect(Consumer<DisconnectReason> listener);

    /**
     * Joins {@code room}, a durable room, from a recovery position: the client first receives the room's
     * events after {@code offset} (the last argument of the last event of it that the client received), then
     * the room's live events, none missing in between and none twice. Live events of every room of this
     * socket wait while the missed ones are read (at most {@value RoomCatchUps#MAX_HELD}; past that the
     * connection is closed, and the client subscribes again from its last offset). Completes once the missed
     * events are written.
     *
     * <p>Without durable rooms in the namespace's recovery backend (or for a room that is not durable) it is a
     * plain {@link #join} and the result says {@code supported = false}. When the room's history no longer
     * reaches back to {@code offset}, no event is replayed and the result holds the truncation to tell the
     * client. Thread-safe.
     */
    CompletableFuture<CatchUp> joinFrom(String room, String offset);

    /**
     * What {@link #joinFrom} did: {@code replayed} events written; {@code truncation} (room, firstOffset,
     * maybe firstRecoveryOffset) when the history did not reach back to the offset, else null.
     */
    record CatchUp(boolean supported, int replayed, Map<String, Object> truncation) {}

    /**
     * Disconnects from the namespace (the client receives DISCONNECT; reason
     * {@code server namespace disconnect}); with {@code close}, closes the whole connection and every
     * namespace on it.
     */
    void disconnect(boolean close);
}
