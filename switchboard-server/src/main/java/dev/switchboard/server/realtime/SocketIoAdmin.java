package dev.switchboard.server.realtime;

import dev.switchboard.server.api.SocketAdmin;
import dev.switchboard.socketio.AckTimeoutException;
import dev.switchboard.socketio.BroadcastOperator;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@link SocketAdmin} over the Socket.IO Java API: every operation is the one a Java handler would
 * write ({@code io.of(nsp).to(rooms).except(except).emit(...)}, {@code socketsJoin}, ...), so the API
 * behaves exactly like server code. A socket's private room (named by its id) is not listed as a room.
 */
final class SocketIoAdmin implements SocketAdmin {

    /** Request headers never shown by the API: they carry credentials. */
    private static final Set<String> HIDDEN_HEADERS = Set.of("authorization", "cookie", "proxy-authorization");

    private final SocketIoServer io;
    private final MeterRegistry registry;

    SocketIoAdmin(SocketIoServer io, MeterRegistry registry) {
        this.io = io;
        this.registry = registry;
    }

    @Override
    public List<NamespaceInfo> namespaces() {
        List<NamespaceInfo> out = new ArrayList<>();
        for (Namespace ns : io.namespaces()) {
            out.add(new NamespaceInfo(ns.name(), ns.sockets().size(), publicRooms(ns).size()));
        }
        out.sort(Comparator.comparing(NamespaceInfo::name));
        return out;
    }

    @Override
    public Optional<List<RoomInfo>> rooms(String namespace) {
        Namespace ns = io.namespace(namespace);
        if (ns == null) {
            return Optional.empty();
        }
        List<RoomInfo> out = new ArrayList<>();
        publicRooms(ns).forEach((name, members) -> out.add(new RoomInfo(name, members)));
        out.sort(Comparator.comparing(RoomInfo::name));
        return Optional.of(out);
    }

    private static Map<String, Integer> publicRooms(Namespace ns) {
        Map<String, Socket> sockets = ns.sockets();
        Map<String, Integer> rooms = new LinkedHashMap<>();
        ns.rooms().forEach((name, count) -> {
            if (!sockets.containsKey(name)) {
                rooms.put(name, count);
            }
        });
        return rooms;
    }

    @Override
    public Optional<List<SocketInfo>> sockets(String namespace, Optional<String> room) {
        Namespace ns = io.namespace(namespace);
        if (ns == null) {
            return Optional.empty();
        }
        List<Socket> sockets = room.isPresent() ? ns.in(room.get()).fetchSockets() : ns.fetchSockets();
        List<SocketInfo> out = new ArrayList<>();
        for (Socket s : sockets) {
            Set<String> rooms = new LinkedHashSet<>(s.rooms());
            rooms.remove(s.id());
            out.add(new SocketInfo(s.id(), s.namespace(), rooms, handshake(s)));
        }
        out.sort(Comparator.comparing(SocketInfo::id));
        return Optional.of(out);
    }

    private static SocketAdmin.Handshake handshake(Socket s) {
        dev.switchboard.socketio.Handshake h = s.handshake();
        Map<String, String> headers = new LinkedHashMap<>();
        h.headers().forEach(e -> {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!HIDDEN_HEADERS.contains(name)) {
                headers.merge(name, e.getValue(), (a, b) -> a + ", " + b);
            }
        });
        return new SocketAdmin.Handshake(h.address(), s.transport(), h.time(), h.issued(), h.url(), h.query(), headers, h.auth());
    }

    @Override
    public boolean disconnect(String namespace, String socketId, boolean close) {
        Namespace ns = io.namespace(namespace);
        Socket s = ns == null ? null : ns.socket(socketId);
        if (s == null) {
            return false;
        }
        s.disconnect(close);
        return true;
    }

    @Override
    public int join(String namespace, Selection selection, Set<String> rooms) {
        BroadcastOperator target = select(namespace, selection);
        int selected = target.fetchSockets().size();
        target.socketsJoin(rooms.toArray(String[]::new));
        return selected;
    }

    @Override
    public int leave(String namespace, Selection selection, Set<String> rooms) {
        BroadcastOperator target = select(namespace, selection);
        int selected = target.fetchSockets().size();
        target.socketsLeave(rooms.toArray(String[]::new));
        return selected;
    }

    private BroadcastOperator select(String namespace, Selection selection) {
        Namespace ns = io.of(namespace);
        if (selection.all()) {
            return ns;
        }
        // A socket id is also the room only that socket is in, so ids and rooms select alike.
        Set<String> rooms = new LinkedHashSet<>(selection.socketIds());
        rooms.addAll(selection.inRooms());
        return ns.in(rooms.toArray(String[]::new));
    }

    @Override
    public CompletionStage<AckResult> publishWithAck(String namespace, Set<String> rooms, Set<String> except,
                                                     String event, List<Object> args, Duration timeout) {
        BroadcastOperator target = target(namespace, rooms, except).timeout(timeout);
        int expected = target.fetchSockets().size();
        long start = System.nanoTime();
        return target.emitWithAck(event, args.toArray()).handle((acks, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            AckResult result;
            if (cause == null) {
                result = new AckResult(acks.expected(), acks.responses(), false);
            } else if (cause instanceof AckTimeoutException t) {
                result = new AckResult(expected, t.partialResponses(), true);
            } else {
                throw new CompletionException(cause);
            }
            Timer.builder("switchboard.socketio.broadcast.ack")
                    .description("time until every recipient of a broadcast with acknowledgements answered, or the timeout")
                    .tag("outcome", result.timedOut() ? "timeout" : "complete")
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return result;
        });
    }

    private BroadcastOperator target(String namespace, Set<String> rooms, Set<String> except) {
        BroadcastOperator target = io.of(namespace);
        if (!rooms.isEmpty()) {
            target = target.to(rooms.toArray(String[]::new));
        }
        if (!except.isEmpty()) {
            target = target.except(except.toArray(String[]::new));
        }
        return target;
    }

    /** Longest wait for a durable room's store before a publish fails. */
    private static final long STORE_WAIT_SECONDS = 10;

    @Override
    public int publish(String namespace, Set<String> rooms, Set<String> except, String event, List<Object> args) {
        BroadcastOperator target = target(namespace, rooms, except);
        int recipients = target.fetchSockets().size();
        // Answered once kept for recovery: for a durable room, once stored (the HTTP 2xx is a promise).
        try {
            target.emitStored(event, args.toArray()).get(STORE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing the message");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof dev.switchboard.core.spi.StoreException s) {
                throw s; // the store's own refusal (not open, overloaded, failed): the API maps its reason
            }
            throw new IllegalStateException("the message could not be stored: "
                    + (e.getCause() != null ? e.getCause() : e), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the message could not be stored: "
                    + (e.getCause() != null ? e.getCause() : e), e);
        }
        return recipients;
    }
}
