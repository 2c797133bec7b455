package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A dynamic namespace (socket.io's {@code ParentNamespace}): matches names, creates a child namespace
 * on the first CONNECT to a matching name (the child starts with this parent's middleware and
 * connection listeners), and broadcasts to every child. Thread-safe.
 */
final class ParentNamespaceImpl implements Namespace, BroadcastingTarget {

    private final SocketIoRuntime runtime;
    private final String description;
    private final Predicate<String> matcher;
    private final List<Middleware> middlewares = new CopyOnWriteArrayList<>();
    private final List<Consumer<Socket>> connectionListeners = new CopyOnWriteArrayList<>();
    private final Map<String, NamespaceImpl> children = new ConcurrentHashMap<>();

    ParentNamespaceImpl(SocketIoRuntime runtime, String description, Predicate<String> matcher) {
        this.runtime = runtime;
        this.description = description;
        this.matcher = matcher;
    }

    boolean matches(String name) {
        return matcher.test(name);
    }

    NamespaceImpl createChild(String name, Consumer<NamespaceImpl> onEmpty) {
        NamespaceImpl child = new NamespaceImpl(runtime, name, onEmpty == null ? null : nsp -> {
            children.remove(nsp.name(), nsp);
            onEmpty.accept(nsp);
        });
        child.inherit(middlewares, connectionListeners);
        children.put(name, child);
        return child;
    }

    @Override
    public SocketIoRuntime runtime() {
        return runtime;
    }

    @Override
    public String name() {
        return description;
    }

    @Override
    public Namespace use(Middleware middleware) {
        middlewares.add(middleware);
        return this;
    }

    @Override
    public Namespace on(String event, Consumer<Socket> listener) {
        if (!"connection".equals(event) && !"connect".equals(event)) {
            throw new IllegalArgumentException("a namespace emits 'connection' (alias 'connect'), not '" + event + "'");
        }
        connectionListeners.add(listener);
        return this;
    }

    @Override
    public Map<String, Socket> sockets() {
        Map<String, Socket> all = new LinkedHashMap<>();
        for (NamespaceImpl c : children.values()) {
            all.putAll(c.sockets());
        }
        return all;
    }

    @Override
    public Socket socket(String id) {
        for (NamespaceImpl c : children.values()) {
            Socket s = c.socket(id);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    @Override
    public Map<String, Integer> rooms() {
        Map<String, Integer> all = new LinkedHashMap<>();
        for (NamespaceImpl c : children.values()) {
            c.rooms().forEach((room, n) -> all.merge(room, n, Integer::sum));
        }
        return all;
    }

    @Override
    public Collection<Namespace> children() {
        return List.copyOf(children.values());
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> broadcast(ArrayNode data, BroadcastFlags flags) {
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (NamespaceImpl c : children.values()) {
            parts.add(c.broadcast(data.deepCopy(), flags).toCompletableFuture());
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    /** Every child broadcasts with its own ack id; the answers are put together, as if one namespace. */
    @Override
    public CompletableFuture<BroadcastAcks> broadcastWithAck(ArrayNode data, BroadcastFlags flags) {
        List<CompletableFuture<BroadcastAcks>> parts = new ArrayList<>();
        for (NamespaceImpl c : children.values()) {
            parts.add(c.broadcastWithAck(data.deepCopy(), flags));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).handle((v, error) -> {
            int expected = 0;
            List<Object> responses = new ArrayList<>();
            boolean timedOut = false;
            for (CompletableFuture<BroadcastAcks> part : parts) {
                try {
                    BroadcastAcks acks = part.join();
                    expected += acks.expected();
                    responses.addAll(acks.responses());
                } catch (java.util.concurrent.CompletionException e) {
                    if (!(e.getCause() instanceof AckTimeoutException)) {
                        throw e;
                    }
                    timedOut = true;
                    responses.addAll(((AckTimeoutException) e.getCause()).partialResponses());
                }
            }
            if (timedOut) {
                throw new java.util.concurrent.CompletionException(new AckTimeoutException(responses));
            }
            return new BroadcastAcks(expected, responses);
        });
    }

    @Override
    public List<Socket> matching(BroadcastFlags flags) {
        List<Socket> all = new ArrayList<>();
        for (NamespaceImpl c : children.values()) {
            all.addAll(c.matching(flags));
        }
        return all;
    }

    @Override
    public void forward(dev.switchboard.core.routing.RequestType type, BroadcastFlags flags, Object... args) {
        for (NamespaceImpl c : children.values()) {
            c.forward(type, flags, args);
        }
    }

    @Override
    public CompletableFuture<List<RemoteSocket>> fetchAllSockets(BroadcastFlags flags) {
        List<CompletableFuture<List<RemoteSocket>>> parts = new ArrayList<>();
        for (NamespaceImpl c : children.values()) {
            parts.add(c.fetchAllSockets(flags));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<RemoteSocket> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.join()));
            return all;
        });
    }

    @Override
    public void serverSideEmit(String event, Object... args) {
        throw new UnsupportedOperationException("serverSideEmit() is not supported on parent namespaces");
    }

    @Override
    public CompletableFuture<List<Object>> serverSideEmitWithAck(java.time.Duration timeout, String event, Object... args) {
        throw new UnsupportedOperationException("serverSideEmitWithAck() is not supported on parent namespaces");
    }

    @Override
    public Namespace onServerSideEmit(String event, EventListener listener) {
        throw new UnsupportedOperationException("onServerSideEmit() is not supported on parent namespaces");
    }

    Set<String> childNames() {
        return Set.copyOf(children.keySet());
    }
}
