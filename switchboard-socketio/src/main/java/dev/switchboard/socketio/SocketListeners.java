package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.socketio.protocol.Packet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a socket's user registered ({@code on}/{@code once}/{@code onBlocking}/{@code off},
 * {@code onAny}/{@code onAnyOutgoing}, per-packet middleware, error and disconnect listeners), and the
 * path of an EVENT from the client through them: {@code onAny} listeners, then the middleware chain,
 * then the event's listeners, each run contained by the runtime's handler runner.
 *
 * <p>Threading: the lists are copy-on-write so they may be changed from any thread; an event is
 * dispatched on the socket's event loop and iterates a snapshot. {@link #handlerLabel} is
 * loop-confined.
 */
final class SocketListeners {

    private static final Logger log = LoggerFactory.getLogger(SocketListeners.class);

    private static final Ack NO_ACK = new Ack() {
        @Override
        public boolean requested() {
            return false;
        }

        @Override
        public void send(Object... args) {}
    };

    private final SocketImpl socket;
    private final SocketIoRuntime runtime;
    private final Map<String, List<Registration>> listeners = new ConcurrentHashMap<>();
    private final List<AnyListener> anyListeners = new CowList<>();
    private final List<AnyListener> anyOutgoing = new CowList<>();
    private final List<PacketMiddleware> packetMiddlewares = new CowList<>();
    private final List<Consumer<Throwable>> errorListeners = new CowList<>();
    private final List<Consumer<DisconnectReason>> disconnectingListeners = new CowList<>();
    private final List<Consumer<DisconnectReason>> disconnectListeners = new CowList<>();
    /** Loop-confined: see {@link #handlerLabel()}. */
    private String handlerLabel;

    SocketListeners(SocketImpl socket, SocketIoRuntime runtime) {
        this.socket = socket;
        this.runtime = runtime;
    }

    // ---- registry (any thread) ----

    void on(String event, EventListener listener) {
        register(event, new Registration(listener, false, (d, args, ack) -> listener.onEvent(args.get(), ack)));
    }

    <T> void on(String event, Class<T> type, TypedEventListener<T> listener) {
        register(event, new Registration(listener, false,
                (d, args, ack) -> listener.onEvent(runtime.payloads().convert(d.get(1), type), ack)));
    }

    void once(String event, EventListener listener) {
        register(event, new Registration(listener, true, (d, args, ack) -> listener.onEvent(args.get(), ack)));
    }

    void onBlocking(String event, EventListener listener) {
        Registration r = new Registration(listener, false, (d, args, ack) -> listener.onEvent(args.get(), ack));
        r.blocking = true;
        register(event, r);
    }

    private void register(String event, Registration r) {
        listeners.computeIfAbsent(event, e -> new CowList<>()).add(r);
    }

    void off(String event, EventListener listener) {
        List<Registration> regs = listeners.get(event);
        if (regs != null) {
            for (Registration r : regs) {
                if (r.key == listener) {
                    regs.remove(r);
                    break;
                }
            }
        }
    }

    void off(String event) {
        listeners.remove(event);
    }

    List<AnyListener> any() {
        return anyListeners;
    }

    List<AnyListener> anyOutgoing() {
        return anyOutgoing;
    }

    List<PacketMiddleware> packetMiddlewares() {
        return packetMiddlewares;
    }

    List<Consumer<Throwable>> errors() {
        return errorListeners;
    }

    List<Consumer<DisconnectReason>> disconnecting() {
        return disconnectingListeners;
    }

    List<Consumer<DisconnectReason>> disconnected() {
        return disconnectListeners;
    }

    // ---- events from the client (event loop) ----

    /** An EVENT packet for this socket. */
    void onEvent(Packet packet) {
        JsonNode d = packet.data();
        String event = d.get(0).asText();
        LazyArgs args = new LazyArgs(d);
        Ack ack = packet.hasId() ? socket.ackFor(packet.id()) : NO_ACK;
        for (AnyListener l : anyListeners) {
            // A failing onAny listener does not stop the event (as socket.io), so no error ack here:
            // the event's listeners may still answer.
            runtime.handlers().inline(handlerLabel(), event, () -> l.onAny(event, args.get()), this::handlerFailed);
        }
        runPacketMiddlewares(0, event, d, args, ack);
    }

    private void runPacketMiddlewares(int index, String event, JsonNode d, LazyArgs args, Ack ack) {
        if (index == packetMiddlewares.size()) {
            dispatch(event, d, args, ack);
            return;
        }
        final class PacketNext implements Middleware.Next {
            private boolean called;

            /** Loop: takes the one outcome of this step for a thrown exception; false if already decided. */
            boolean claim() {
                boolean first = !called;
                called = true;
                return first;
            }

            @Override
            public void proceed() {
                socket.onLoop(() -> {
                    if (!called && socket.connected()) {
                        called = true;
                        runPacketMiddlewares(index + 1, event, d, args, ack);
                    }
                });
            }

            @Override
            public void reject(String message, Object errData) {
                socket.onLoop(() -> {
                    if (!called) {
                        called = true;
                        reportError(new SocketIoException(message, errData));
                    }
                });
            }
        }
        PacketNext next = new PacketNext();
        PacketMiddleware m = packetMiddlewares.get(index);
        runtime.handlers().inline(handlerLabel(), event, () -> m.handle(event, args.get(), next), e -> {
            // Thrown, not rejected: stop the event as a rejection would, and answer the client.
            handlerFailed(e);
            if (next.claim()) {
                runtime.handlers().answerError(ack, event, e);
            }
        });
    }

    private void dispatch(String event, JsonNode d, LazyArgs args, Ack ack) {
        List<Registration> regs = listeners.get(event);
        if (regs == null) {
            return;
        }
        for (Registration r : regs) {
            if (r.once && !regs.remove(r)) {
                continue; // another thread removed it first
            }
            if (r.blocking) {
                args.get(); // convert on the loop; the worker only reads
                runtime.handlers().blocking(handlerLabel(), event, () -> r.invoker.invoke(d, args, ack),
                        socket.executor(), e -> handlerFailed(event, e, ack));
            } else {
                runtime.handlers().inline(handlerLabel(), event, () -> r.invoker.invoke(d, args, ack),
                        e -> handlerFailed(event, e, ack));
            }
        }
    }

    /** A listener failed or was refused (logged by the runner): error listeners, then the error ack. Loop. */
    private void handlerFailed(String event, Throwable e, Ack ack) {
        handlerFailed(e);
        runtime.handlers().answerError(ack, event, e);
    }

    /** Tells the error listeners of a handler failure the runner has already logged. */
    private void handlerFailed(Throwable e) {
        for (Consumer<Throwable> l : errorListeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                log.warn("error listener of socket {} failed: {}", socket.id(), ex.toString());
            }
        }
    }

    /**
     * How the handler runner names this socket in its logs: id and namespace. Made on the first event,
     * so idle sockets do not keep it.
     */
    private String handlerLabel() {
        String l = handlerLabel;
        if (l == null) {
            l = socket.id() + " (namespace " + socket.namespace() + ")";
            handlerLabel = l;
        }
        return l;
    }

    /** An error of middleware or of an {@code onAnyOutgoing} listener: to the error listeners, else logged. */
    void reportError(Throwable e) {
        if (errorListeners.isEmpty()) {
            log.warn("socket {} on {}: {}", socket.id(), socket.namespace(), e.toString());
            return;
        }
        for (Consumer<Throwable> l : errorListeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                log.warn("error listener of socket {} failed: {}", socket.id(), ex.toString());
            }
        }
    }

    /** Calls the {@code disconnecting} or {@code disconnect} listeners; one failing does not stop the others. */
    void fire(List<Consumer<DisconnectReason>> disconnectionListeners, DisconnectReason reason) {
        for (Consumer<DisconnectReason> l : disconnectionListeners) {
            try {
                l.accept(reason);
            } catch (RuntimeException e) {
                log.warn("disconnect listener of socket {} failed: {}", socket.id(), e.toString());
            }
        }
    }

    /** Tells the {@code onAnyOutgoing} listeners of an event going to the client ({@code [event, ...args]}). */
    void notifyOutgoing(JsonNode payload) {
        if (anyOutgoing.isEmpty() || payload == null) {
            return;
        }
        String event = payload.get(0).asText();
        List<Object> args = runtime.payloads().toJava(payload, 1);
        for (AnyListener l : anyOutgoing) {
            try {
                l.onAny(event, args);
            } catch (RuntimeException e) {
                reportError(e);
            }
        }
    }

    /** Arguments converted to Java values once, when first asked for. */
    private final class LazyArgs {
        private final JsonNode data;
        private List<Object> args;

        LazyArgs(JsonNode data) {
            this.data = data;
        }

        List<Object> get() {
            if (args == null) {
                args = runtime.payloads().toJava(data, 1);
            }
            return args;
        }
    }

    @FunctionalInterface
    private interface Invoker {
        void invoke(JsonNode data, LazyArgs args, Ack ack) throws Exception;
    }

    private static final class Registration {
        final Object key;
        final boolean once;
        final Invoker invoker;
        /** Runs on the handler runner's worker pool ({@link SocketListeners#onBlocking}); set before it is registered. */
        boolean blocking;

        Registration(Object key, boolean once, Invoker invoker) {
            this.key = key;
            this.once = once;
            this.invoker = invoker;
        }
    }
}
