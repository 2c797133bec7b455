package dev.switchboard.socketio;

import dev.switchboard.core.handler.HandlerRunner;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.engineio.EngineIoServer;
import dev.switchboard.transport.HttpHandler;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A Socket.IO v5 server, as the official {@code socket.io} 4.8 server behaves.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.create(SocketIoConfig.defaults());
 * io.of("/chat").use((socket, next) -> next.proceed()).on("connection", socket -> {
 *     socket.join("lobby");
 *     socket.on("message", (args, ack) -> io.of("/chat").to("lobby").emit("message", args.get(0)));
 * });
 * InetSocketAddress address = io.start().toCompletableFuture().join();   // its own listener
 * }</pre>
 *
 * <p>Or mount it on a listener shared with other routes (no {@link #start()} then):
 * <pre>{@code
 * HttpServer http = HttpServer.builder(transportConfig).route(io.path(), io.httpHandler()).route("/", api).build();
 * }</pre>
 *
 * <p>Rooms and broadcasts go through {@link #router()}, the node's routing fabric.
 */
public interface SocketIoServer {

    /** A server with its own in-process router. */
    static SocketIoServer create(SocketIoConfig config) {
        return create(config, Routers.local());
    }

    /** A server publishing through {@code router} (shared with other protocols, or clustered). */
    static SocketIoServer create(SocketIoConfig config, Router router) {
        return new DefaultSocketIoServer(config, router);
    }

    /**
     * A server publishing through {@code router} whose users' handlers run through {@code handlers}
     * (the node's, {@code SwitchboardNode.handlers()}): a handler that throws is logged and answered
     * with an error ack ({@link SocketIoConfig#handlerErrorAck()}), blocking ones
     * ({@link Socket#onBlocking}) run on its bounded pool, and its watchdog names inline handlers that
     * hold an event loop. The other factories use a runner with default options shared in the JVM.
     * The caller owns {@code handlers}: closing the server does not close it.
     */
    static SocketIoServer create(SocketIoConfig config, Router router, HandlerRunner handlers) {
        return new DefaultSocketIoServer(config, router, handlers);
    }

    SocketIoConfig config();

    Router router();

    /** The namespace with that name, created if needed. */
    Namespace of(String name);

    /**
     * A dynamic parent namespace: a CONNECT to an unknown namespace whose name the pattern finds
     * (JavaScript {@code RegExp.test} semantics: anchor it with {@code ^...$}) creates a child
     * namespace that inherits this parent's middleware and connection listeners.
     */
    Namespace of(Pattern pattern);

    /** A dynamic parent namespace matching names for which {@code matcher} is true. */
    Namespace of(Predicate<String> matcher);

    /** The main namespace {@code /}. */
    Namespace sockets();

    /** The namespace with that name if it exists (static, or a child created so far), else {@code null}. */
    Namespace namespace(String name);

    /** Every namespace that exists now (not the dynamic parents); a snapshot. */
    Collection<Namespace> namespaces();

    /** Shortcut for {@code sockets().use(..)}. */
    default SocketIoServer use(Middleware middleware) {
        sockets().use(middleware);
        return this;
    }

    /** Shortcut for {@code sockets().on(..)}. */
    default SocketIoServer on(String event, Consumer<Socket> listener) {
        sockets().on(event, listener);
        return this;
    }

    default BroadcastOperator to(String... rooms) {
        return sockets().to(rooms);
    }

    default BroadcastOperator in(String... rooms) {
        return sockets().in(rooms);
    }

    default BroadcastOperator except(String... rooms) {
        return sockets().except(rooms);
    }

    default void emit(String event, Object... args) {
        sockets().emit(event, args);
    }

    /** The Engine.IO server underneath. */
    EngineIoServer engine();

    /**
     * What a fabric message from outside (a bridge's inbound side) goes through before it is routed: a
     * message to an existing namespace with connection state recovery is kept by that namespace's
     * recovery backend exactly as an event emitted here would be (appended to its durable rooms' streams,
     * idempotently by message id, before it is routed), and comes back carrying its recovery offset as
     * its last argument and, when stored, its stream position. Any other message comes back unchanged.
     * The returned stage fails when the store refused the message (it must then not be acknowledged).
     */
    dev.switchboard.core.bridge.InboundStorage inboundStorage();

    /** The path to mount {@link #httpHandler()} on, e.g. {@code /socket.io/}. */
    default String path() {
        return config().engine().path();
    }

    /**
     * The HTTP route of this server, to mount on a shared {@code HttpServer}. When mounted, call
     * {@link #close()} before shutting that listener down, so sockets leave with
     * {@code server shutting down} rather than {@code forced close}.
     */
    HttpHandler httpHandler();

    /** Starts a listener of its own ({@link SocketIoConfig#transport()}); completes with the bound address. */
    CompletionStage<InetSocketAddress> start();

    /**
     * The first step of a graceful shutdown: every socket of this node gets a Socket.IO DISCONNECT
     * (the client's reason is {@code io server disconnect}, which official clients do not retry on their
     * own; sockets of other nodes are untouched). Completes once every such packet was written to its
     * connection, so a {@link #close()} after it cannot drop one (the client would see
     * {@code transport close} and reconnect at once). Never completes exceptionally; bound the wait.
     */
    CompletionStage<Void> disconnectAll();

    /**
     * Disconnects every socket ({@code server shutting down}), closes the Engine.IO sessions, and stops the
     * listener if {@link #start()} started one. Idempotent.
     */
    CompletionStage<Void> close();
}
